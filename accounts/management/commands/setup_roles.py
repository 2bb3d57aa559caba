from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.roles import ROLES


class Command(BaseCommand):
    help = (
        f"Create the staff groups ({', '.join(sorted(ROLES))}) and give each "
        "exactly the permissions its role allows, removing any others. Safe to "
        "re-run."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        for group_name, wanted in sorted(ROLES.items()):
            permissions = []
            for dotted in sorted(wanted):
                app_label, codename = dotted.split(".", 1)
                try:
                    permissions.append(
                        Permission.objects.get(
                            content_type__app_label=app_label, codename=codename
                        )
                    )
                except Permission.DoesNotExist:
                    raise CommandError(
                        f"Permission {dotted} does not exist: run migrate first."
                    ) from None
            group, created = Group.objects.get_or_create(name=group_name)
            group.permissions.set(permissions)
            verb = "Created" if created else "Updated"
            self.stdout.write(
                f"{verb} group {group_name} with {len(permissions)} permissions."
            )
