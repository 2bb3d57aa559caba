"""Names in the order a reader reads them: "aircraft engine" before "ZPT",
"Åland Islands" among the A's, Côte d'Ivoire before Curaçao's neighbours.

A column compared as it is stored puts capitals before small letters and
accented letters after "z". ``FoldedName(field)`` is the name folded as
``core.names.fold`` folds it (small letters, no accents): on PostgreSQL,
the name under ICU's root collation (``und-x-icu``, which PostgreSQL
builds ship with: case and accents weigh only between names otherwise
alike), compared in C as fast as the stored form (``lower(unaccent(…))``
took five times as long over 30,000 names); on SQLite, a function of this
module's registered on every connection (:func:`register`), one call a
row, not one a comparison.
"""

from __future__ import annotations

from django.db.backends.signals import connection_created
from django.db.models import CharField, Func

from core.names import fold

SQLITE_FUNCTION = "coopsite_fold"


class FoldedName(Func):
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, function=SQLITE_FUNCTION, **extra_context
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template='%(expressions)s COLLATE "und-x-icu"',
            **extra_context,
        )


def _fold(value: str | None) -> str | None:
    return None if value is None else fold(value)


def _on_connection(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_FUNCTION, 1, _fold, deterministic=True
        )


def register() -> None:
    connection_created.connect(_on_connection, dispatch_uid="coopsite-fold")
