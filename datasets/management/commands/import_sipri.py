from datasets.management.base import DatasetImportCommand
from datasets.sipri import SipriRegister


class Command(DatasetImportCommand):
    help = (
        "Import a SIPRI Arms Transfers Database trade register CSV export (the "
        "'all countries' export or the per-delivery-year one; ISO-8859-1 or "
        "UTF-8). Each deal becomes an export partnership, keyed on a stable id: "
        "importing the same file again changes nothing, a newer export updates "
        "the deals that changed. A value the source got wrong is imported as its "
        "best reading and flagged as a data issue (--strict refuses the file "
        "instead); a row that cannot be read stops the import, nothing written."
    )

    def dataset(self):
        return SipriRegister()
