from django.core.management.base import BaseCommand
from django.db import transaction

from partnerships.models import Alias, Bloc, BlocMembership, Country
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
        self.stdout.write(
            self.style.SUCCESS(
                f"Countries: {countries} created, {aliases} aliases added; "
                f"blocs: {blocs} created, {memberships} memberships added. "
                f"{Country.objects.count()} countries in all."
            )
        )
