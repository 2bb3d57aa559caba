from django.core.management.base import BaseCommand
from django.db import transaction

from core.signals import send_bulk_saved
from partnerships.models import Alias, Bloc, BlocMembership, Country, Entity
from partnerships.reference_data import seed_blocs, seed_countries


class Command(BaseCommand):
    help = (
        "Create or update every country (ISO 3166-1 and former states, from "
        "pycountry, CLDR and countryinfo) and the main blocs with their members. "
        "Adds what is missing and never undoes staff curation. The first "
        "migration already ran this; run it again after upgrading those libraries."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        countries, aliases = seed_countries(Country=Country, Alias=Alias)
        blocs, memberships = seed_blocs(
            Bloc=Bloc, BlocMembership=BlocMembership, Country=Country, Alias=Alias
        )
        if countries or aliases or blocs or memberships:
            # Names and aliases written in bulk: announced, so that search,
            # the mention detector and the articles that link these records
            # take them in.
            send_bulk_saved(
                Entity,
                [
                    *Country.objects.values_list("pk", flat=True),
                    *Bloc.objects.values_list("pk", flat=True),
                ],
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Countries: {countries} created, {aliases} aliases added; "
                f"blocs: {blocs} created, {memberships} memberships added. "
                f"{Country.objects.count()} countries in all."
            )
        )
