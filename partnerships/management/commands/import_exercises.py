from partnerships.exercises import import_exercises
from partnerships.management.base import DatasetImportCommand


class Command(DatasetImportCommand):
    help = (
        "Import the Multinational Military Exercises dataset (MME) from its CSV "
        "file. Each exercise becomes a partnership of kind 'exercise', keyed on "
        "its MMEID: importing the same file again changes nothing, a newer "
        "version updates the exercises that changed. One bad row and nothing is "
        "written."
    )
    noun = "exercises"
    dataset = "a Multinational Military Exercises file"

    def run_import(self, file, strict):
        return import_exercises(file, strict=strict, stdout=self.stdout)
