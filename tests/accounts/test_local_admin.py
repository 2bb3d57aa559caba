from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.management.commands import ensure_local_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def password_file(tmp_path, monkeypatch):
    path = tmp_path / ".admin-password"
    monkeypatch.setattr(ensure_local_admin, "PASSWORD_FILE", path)
    return path


def run(*args):
    out = StringIO()
    call_command("ensure_local_admin", *args, stdout=out)
    return out.getvalue()


def test_first_run_creates_a_superuser_and_prints_a_working_login(
    settings, password_file
):
    settings.DEBUG = True
    output = run()
    password = password_file.read_text().strip()
    assert f"Admin login: admin / {password}" in output
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser
    assert admin.check_password(password)


def test_later_runs_print_the_same_login(settings, password_file):
    settings.DEBUG = True
    first = run()
    assert run() == first
    assert get_user_model().objects.filter(username="admin").count() == 1


def test_a_changed_password_is_left_alone(settings, password_file):
    settings.DEBUG = True
    run()
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("my own choice")
    admin.save()
    assert "--reset" in run()
    admin.refresh_from_db()
    assert admin.check_password("my own choice")


def test_it_refuses_to_run_outside_local_development(settings, password_file):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="local development"):
        run()
    assert not get_user_model().objects.exists()


def test_another_username_keeps_its_own_password_file(settings, password_file):
    settings.DEBUG = True
    admin_login = run()
    carol = run("--username", "carol")
    assert "Admin login: carol / " in carol
    assert run() == admin_login  # admin's login still printed
    assert run("--username", "carol") == carol
    assert (password_file.parent / ".admin-password-carol").exists()
