"""Logins that can't be guessed: five failures for one username or from one
address, and the next attempt is refused with a clear message, logged, until
15 minutes pass or an administrator lifts the lock."""

import datetime as dt
import logging

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = "/admin/login/"


@pytest.fixture
def editor_account(roles):
    return UserFactory(username="zeynep", groups=[roles["Editors"]])


def attempt(client, username, password, address="203.0.113.7", **headers):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **headers,
    )


def signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_the_right_password_after_five_wrong_ones_is_refused_with_a_message(
    client, editor_account
):
    for _ in range(5):
        assert attempt(client, "zeynep", "guess").status_code in (200, 429)
    response = attempt(client, "zeynep", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Signing in is locked for now" in page
    assert "5 failed attempts" in page
    assert "ask an administrator" in page
    assert not signed_in(client)


def test_four_wrong_passwords_then_the_right_one_signs_in(client, editor_account):
    for _ in range(4):
        attempt(client, "zeynep", "guess")
    assert attempt(client, "zeynep", PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_username_is_locked_whatever_address_the_guesses_come_from(
    client, editor_account
):
    for number in range(5):
        attempt(client, "zeynep", "guess", address=f"198.51.100.{number}")
    assert attempt(client, "zeynep", PASSWORD, address="192.0.2.1").status_code == 429


def test_an_address_is_locked_whatever_usernames_it_tries(client, editor_account):
    for number in range(5):
        attempt(client, f"someone{number}", "guess")
    assert attempt(client, "zeynep", PASSWORD).status_code == 429
    # Elsewhere, zeynep signs in.
    assert attempt(client, "zeynep", PASSWORD, address="192.0.2.1").status_code == 302


def test_a_forged_forwarded_for_header_does_not_change_the_address(
    client, editor_account
):
    for number in range(5):
        attempt(
            client, f"someone{number}", "x", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}"
        )
    response = attempt(client, "zeynep", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429


def test_behind_the_trusted_proxy_the_address_is_its_header_and_only_it(
    client, editor_account, settings
):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for number in range(5):
        # The proxy always connects from one address; each client differs.
        attempt(
            client,
            f"someone{number}",
            "x",
            address="10.0.0.1",
            HTTP_X_REAL_IP="203.0.113.50",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )
    locked = attempt(
        client, "zeynep", PASSWORD, address="10.0.0.1", HTTP_X_REAL_IP="203.0.113.50"
    )
    assert locked.status_code == 429
    elsewhere = attempt(
        client, "zeynep", PASSWORD, address="10.0.0.1", HTTP_X_REAL_IP="203.0.113.51"
    )
    assert elsewhere.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {
        "203.0.113.50"
    }


def test_the_lockout_is_logged(client, editor_account, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        for _ in range(5):
            attempt(client, "zeynep", "guess")
    assert any("Locking out" in r.getMessage() for r in caplog.records)


def test_the_lock_lifts_fifteen_minutes_after_the_last_failure(
    client, editor_account, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    for _ in range(5):
        attempt(client, "zeynep", "guess")
    time_machine.shift(dt.timedelta(minutes=14))
    assert attempt(client, "zeynep", PASSWORD).status_code == 429
    time_machine.shift(dt.timedelta(minutes=16))
    assert attempt(client, "zeynep", PASSWORD).status_code == 302


def test_an_administrator_lifts_a_lock_in_the_admin(
    client, editor_account, superuser_client
):
    for _ in range(5):
        attempt(client, "zeynep", "guess")
    locks = AccessAttempt.objects.filter(username="zeynep")
    assert locks.exists()
    changelist = superuser_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert "zeynep" in changelist.content.decode()
    response = superuser_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(locks.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert attempt(client, "zeynep", PASSWORD).status_code == 302


def test_the_lock_lives_in_the_database_that_every_app_process_shares(
    client, editor_account
):
    from axes.handlers.proxy import AxesProxyHandler
    from django.core.cache import caches

    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    for _ in range(5):
        attempt(client, "zeynep", "guess")
    # Another process starts with nothing in memory: no handler, no cache.
    AxesProxyHandler.implementation = None
    for cache in caches.all():
        cache.clear()
    assert attempt(client, "zeynep", PASSWORD).status_code == 429


@pytest.mark.parametrize(
    "away", ["//evil.example/", "https://evil.example/", "/\\evil"]
)
def test_a_next_address_off_the_site_leads_to_the_admin_instead(
    client, editor_account, away
):
    response = client.post(
        f"{LOGIN}?next={away}", {"username": "zeynep", "password": PASSWORD}
    )
    assert (response.status_code, response["Location"]) == (302, "/admin/")
