"""Full-text search over the index, ranked and highlighted.

Two backends behind one function, ``search()``: SQLite's FTS5 (the embedded
default) and PostgreSQL's full-text search on a stored, GIN-indexed
``tsvector``. Both weigh a match in the title above one in the keywords
(aliases, codes, tags) above one in the body, fold accents, and stem English
words. Which entries a reader may see is decided by the ORM
(``Article.objects.published()``), not by SQL written here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from django.db import connection
from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article
from core.names import fold, normalise_name

from .models import SearchEntry

START, STOP = "\x02", "\x03"
MAX_TERMS = 12
_TERM = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    entry_id: int
    kind: str
    article_id: int | None
    entity_id: int | None
    rank: float
    title: SafeString
    snippet: SafeString


def highlighted(text: str) -> SafeString:
    """Escape ``text`` and turn the backend's match markers into <mark>."""
    html = escape(text or "", quote=False)
    return mark_safe(html.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308


def highlight_terms(text: str, terms: list[str]) -> SafeString:
    """Escape ``text`` and mark each word that starts with one of ``terms``
    (which are folded: lower case, no accents)."""
    parts, position = [], 0
    for match in _TERM.finditer(text):
        word = fold(match.group())
        if any(
            word.startswith(term) or (term.startswith(word) and len(word) > 2)
            for term in terms
        ):
            parts.append(escape(text[position : match.start()], quote=False))
            parts.append(f"<mark>{escape(match.group(), quote=False)}</mark>")
            position = match.end()
    parts.append(escape(text[position:], quote=False))
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped pieces


def visible_entries():
    """Entries a reader may find: every record, and published articles."""
    return SearchEntry.objects.filter(
        Q(entity__isnull=False) | Q(article__in=Article.objects.published())
    )


class SearchQuery:
    """One reader's query, ready to run: count, count by kind, and pages."""

    def __init__(self, text: str, kinds: list[str] | None = None):
        self.text = text
        self.kinds = kinds or []
        self.terms = _TERM.findall(fold(text))[:MAX_TERMS]
        self.key = normalise_name(text)
        self.backend = _BACKENDS[connection.vendor]

    def __bool__(self) -> bool:
        return bool(self.terms)

    def _filter_sql(self, with_kinds: bool = True) -> tuple[str, list]:
        entries = visible_entries()
        if with_kinds and self.kinds:
            entries = entries.filter(kind__in=self.kinds)
        sql, params = entries.values("id").query.sql_with_params()
        return f"e.id IN ({sql})", list(params)

    def count(self) -> int:
        if not self:
            return 0
        return self.backend.count(self)

    def count_by_kind(self) -> dict[str, int]:
        if not self:
            return {}
        return self.backend.count_by_kind(self)

    def hits(self, offset: int, limit: int) -> list[Hit]:
        if not self:
            return []
        return self.backend.hits(self, offset, limit)

    # Paginator support: len() and slicing run the query for that page.
    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[Hit]:
        start, stop = item.start or 0, item.stop
        return self.hits(start, stop - start)


class _Backend:
    """What both backends share: counting the matches of ``_from``'s SQL
    (``FROM … WHERE …`` over the entries ``e``)."""

    def _from(self, query: SearchQuery, with_kinds: bool = True) -> tuple[str, list]:
        raise NotImplementedError

    def hits(self, query: SearchQuery, offset: int, limit: int) -> list[Hit]:
        raise NotImplementedError

    def count(self, query):
        sql, params = self._from(query)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) {sql}", params)
            return cursor.fetchone()[0]

    def count_by_kind(self, query):
        sql, params = self._from(query, with_kinds=False)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT e.kind, COUNT(*) {sql} GROUP BY e.kind", params)
            return dict(cursor.fetchall())


class SQLiteBackend(_Backend):
    """FTS5 with the porter stemmer and diacritics removed (see migrations)."""

    TABLE = "search_searchentry_fts"
    WEIGHTS = "10.0, 4.0, 1.0"  # title, keywords, body

    @staticmethod
    def match(query: SearchQuery) -> str:
        # Every term must appear (implicit AND); each may be a word's start.
        return " ".join(f'"{term}"*' for term in query.terms)

    def _from(self, query: SearchQuery, with_kinds: bool = True) -> tuple[str, list]:
        condition, params = query._filter_sql(with_kinds)
        sql = (
            f"FROM {self.TABLE} JOIN search_searchentry e ON e.id = {self.TABLE}.rowid "
            f"WHERE {self.TABLE} MATCH %s AND {condition}"
        )
        return sql, [self.match(query), *params]

    def hits(self, query, offset, limit):
        sql, params = self._from(query)
        select = (
            f"SELECT e.id, e.kind, e.article_id, e.entity_id, "
            f"bm25({self.TABLE}, {self.WEIGHTS}) AS rank, "
            "e.title, "
            f"snippet({self.TABLE}, 2, char(2), char(3), '…', 28) "
            f"{sql} ORDER BY e.title_key = %s DESC, rank, e.id LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(select, [*params, query.key, limit, offset])
            rows = cursor.fetchall()
        return [
            Hit(
                id_,
                kind,
                article,
                entity,
                -rank,
                highlight_terms(title, query.terms),
                highlighted(snip),
            )
            for id_, kind, article, entity, rank, title, snip in rows
        ]


class PostgreSQLBackend(_Backend):
    """A stored tsvector (weights A title, B keywords, C body) under a GIN
    index, in the ``coopsite`` text search configuration: English stemming
    after unaccent (see migrations)."""

    CONFIG = "coopsite"
    HEADLINE = (
        f"StartSel={START}, StopSel={STOP}, MaxWords=40, MinWords=18, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )

    def _tsquery(self, query: SearchQuery) -> str:
        # Every term must appear; each may be a word's start. Terms are
        # letters and digits only, so they cannot break the query syntax.
        return " & ".join(f"{term}:*" for term in query.terms)

    def _from(self, query: SearchQuery, with_kinds: bool = True) -> tuple[str, list]:
        condition, params = query._filter_sql(with_kinds)
        sql = (
            f"FROM search_searchentry e, to_tsquery('{self.CONFIG}', %s) q "
            f"WHERE e.vector @@ q AND {condition}"
        )
        return sql, [self._tsquery(query), *params]

    def hits(self, query, offset, limit):
        sql, params = self._from(query)
        # Rank and cut the page first; highlight only the rows shown.
        select = (
            "SELECT page.id, page.kind, page.article_id, page.entity_id, page.rank, "
            "page.title, "
            f"ts_headline('{self.CONFIG}', page.body, page.q, %s) "
            "FROM (SELECT e.id, e.kind, e.article_id, e.entity_id, e.title, e.body, q, "
            "e.title_key = %s AS exact, "
            f"ts_rank_cd(e.vector, q, 32) AS rank {sql} "
            "ORDER BY exact DESC, rank DESC, e.id LIMIT %s OFFSET %s) page "
            "ORDER BY page.exact DESC, page.rank DESC, page.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(select, [self.HEADLINE, query.key, *params, limit, offset])
            rows = cursor.fetchall()
        return [
            Hit(
                id_,
                kind,
                article,
                entity,
                rank,
                highlight_terms(title, query.terms),
                highlighted(snip),
            )
            for id_, kind, article, entity, rank, title, snip in rows
        ]


_BACKENDS = {"sqlite": SQLiteBackend(), "postgresql": PostgreSQLBackend()}


def search(text: str, kinds: list[str] | None = None) -> SearchQuery:
    return SearchQuery(text, kinds)
