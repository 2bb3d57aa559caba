from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self):
        from core import free_text

        from . import signals
        from .backends import found_in_list, names_holding

        signals.connect()
        # The public lists' free-text filters find through the index, and
        # the index pages' name box through its folded names.
        free_text.answer_with(found_in_list)
        free_text.answer_names_with(names_holding)
        post_migrate.connect(index_a_new_database, sender=self)


def index_a_new_database(sender, using, verbosity=1, **kwargs):
    """After migrating a database whose index is still empty (a new one, or
    the test database), build the index, so that the reference data the
    migrations loaded (countries, blocs) can be found."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    from . import indexing
    from .models import SearchEntry

    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return  # a partial migrate: the code may not match the schema yet
    if SearchEntry.objects.using(using).exists():
        return
    articles, entities = indexing.rebuild()
    if verbosity >= 1 and (articles or entities):
        print(f"  Indexed {articles} articles and {entities} records for search.")
