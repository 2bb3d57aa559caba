from datasets.management.base import DatasetImportCommand
from datasets.mme import MmeExercises


class Command(DatasetImportCommand):
    help = (
        "Import the Multinational Military Exercises dataset (MME) from its CSV "
        "file. Each exercise becomes a partnership of kind 'exercise', keyed on "
        "its MMEID: importing the same file again changes nothing, a newer "
        "version updates the exercises that changed. One bad row and nothing is "
        "written."
    )

    def dataset(self):
        return MmeExercises()
