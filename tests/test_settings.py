"""The production settings: safe by default, refuse to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "CACHE_URL", "REDIS_URL"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        check=False,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "coopsite.settings.production",
    "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/coopsite",
    "DJANGO_SECRET_KEY": "x7!kq2#Lr9vPz4@Wm8^Ts1&Yb6*Nc3(Hd5)Jf0-Gh+Ua_Ie=Ol|Sp~Rt`Vw",
    "DJANGO_ALLOWED_HOSTS": "coopsite.example.org",
    "CACHE_URL": "redis://127.0.0.1:6379/0",
}


def test_production_settings_pass_the_deploy_check_with_no_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing", ["DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"]
)
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = manage("check", **env)
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DATABASE_URL", "notaurl"), ("COOPSITE_PAGE_CACHE_SECONDS", "ten")],
)
def test_a_setting_that_cannot_be_read_stops_the_start_naming_it(variable, value):
    result = manage("check", **{**PRODUCTION, variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable} " in result.stderr.strip().splitlines()[-1]


def test_a_rate_limit_that_cannot_be_read_stops_the_start():
    """Refused at start with what to write, not by every API request (a
    500 from deep in the throttle)."""
    result = manage("check", **PRODUCTION, DJANGO_API_RATE_LIMIT="100000")
    assert result.returncode != 0
    assert "DJANGO_API_RATE_LIMIT must be requests per period, as 120/minute" in (
        result.stderr
    )


def test_production_turns_on_https_and_the_content_security_policy():
    result = manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS > 0, bool(s.SECURE_CSP), s.DEBUG)",
        **PRODUCTION,
    )
    assert result.stdout.split() == ["True", "True", "True", "True", "True", "False"]


def test_database_url_chooses_the_database():
    result = manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'])",
        **PRODUCTION,
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    ("jit", "parallel", "options"),
    [
        ("", "", "-c jit=off -c max_parallel_workers_per_gather=0"),
        ("true", "", "-c max_parallel_workers_per_gather=0"),
        ("", "true", "-c jit=off"),
        ("true", "true", ""),
    ],
)
def test_postgresql_connections_compile_no_query_nor_start_workers_unless_asked(
    jit, parallel, options
):
    result = manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.conf import settings as s;"
        "print(repr(s.DATABASES['default'].get('OPTIONS', {}).get('options', '')))",
        **PRODUCTION,
        **({"DATABASE_JIT": jit} if jit else {}),
        **({"DATABASE_PARALLEL_QUERY": parallel} if parallel else {}),
    )
    assert result.stdout.strip() == repr(options), result.stderr


@pytest.mark.django_db
def test_the_sites_database_sessions_have_jit_and_parallel_workers_off():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"


def test_the_deploy_check_warns_of_a_cache_each_process_keeps_to_itself():
    env = {k: v for k, v in PRODUCTION.items() if k != "CACHE_URL"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "coopsite.W001" in result.stderr + result.stdout


def test_redis_url_selects_djangos_redis_cache_sharing_its_clients():
    result = manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.conf import settings as s; c = s.CACHES['default'];"
        "print(c['BACKEND'], c['LOCATION'], c['KEY_PREFIX'])",
        **{**PRODUCTION, "CACHE_URL": "", "REDIS_URL": "redis://cache.internal:6379/2"},
    )
    assert result.stdout.split() == [
        "coopsite.cache.RedisCache",
        "redis://cache.internal:6379/2",
        "coopsite",
    ], result.stderr
