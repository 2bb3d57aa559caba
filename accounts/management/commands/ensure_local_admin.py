import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

PASSWORD_FILE = Path(settings.BASE_DIR) / ".admin-password"
DEFAULT_USERNAME = "admin"


def password_file(username: str) -> Path:
    """Where a user's password is kept: ``.admin-password`` for ``admin``
    (the login ``make run`` prints), ``.admin-password-NAME`` for another."""
    if username == DEFAULT_USERNAME:
        return PASSWORD_FILE
    return PASSWORD_FILE.with_name(f"{PASSWORD_FILE.name}-{username}")


class Command(BaseCommand):
    help = (
        "For a developer's machine: make sure a superuser exists and print its "
        "login. The first run creates it with a random password, kept in "
        ".admin-password (git-ignored; .admin-password-NAME for another "
        "--username) so later runs print the same login."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default=DEFAULT_USERNAME)
        parser.add_argument(
            "--reset", action="store_true", help="Give the user a new random password."
        )

    def handle(self, *args, username, reset, **options):
        if not settings.DEBUG:
            raise CommandError(
                "ensure_local_admin is for local development (DEBUG on) only; "
                "use createsuperuser elsewhere."
            )
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        kept = password_file(username)
        password = kept.read_text().strip() if kept.exists() else ""
        if user is None or reset or not password:
            password = secrets.token_urlsafe(12)
            if user is None:
                user = User.objects.create_superuser(
                    username=username, email="", password=password, first_name="Admin"
                )
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            kept.write_text(password + "\n")
            kept.chmod(0o600)
        elif not user.check_password(password):
            self.stdout.write(
                f"User “{username}” exists and its password was changed since "
                f"{kept.name} was written; run this command with --reset "
                "for a new one."
            )
            return
        self.stdout.write(self.style.SUCCESS(f"Admin login: {username} / {password}"))
