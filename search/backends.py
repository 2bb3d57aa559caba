"""Full-text search over the index, ranked and highlighted.

Two backends behind one function, ``search()``: SQLite's FTS5 (the embedded
default) and PostgreSQL's full-text search on a stored, GIN-indexed
``tsvector``. Both weigh a match in the title above one in the keywords
(aliases, codes, tags) above one in the body, fold accents, and stem English
words. Which entries a reader may see is the entry's ``visible_from``,
which the indexer keeps by the rule of ``Article.objects.published()``;
ranking, highlighting and counting stay on a bounded number of matches
(``CANDIDATES``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from django.db import connection
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from core.names import fold, normalise_name

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


# A query is ranked, highlighted and counted over at most this many of its
# matches (the most recently visible first, and any entry whose title is the
# query): the cost of a search does not grow with the size of the index.
CANDIDATES = 1000


class SearchQuery:
    """One reader's query, ready to run: counts by kind, and pages.

    What a reader may find is the entry's own ``visible_from`` (see
    ``models.py``): a search reads no other table to know it, so the index
    on the text and the one on that time do all the work."""

    def __init__(self, text: str, kinds: list[str] | None = None):
        self.text = text
        self.kinds = kinds or []
        self.terms = _TERM.findall(fold(text))[:MAX_TERMS]
        self.key = normalise_name(text)
        self.now = timezone.now()
        self.backend = _BACKENDS[connection.vendor]
        self._by_kind: dict[str, int] | None = None

    def __bool__(self) -> bool:
        return bool(self.terms)

    def visible_sql(self, alias: str = "e") -> tuple[str, list]:
        """The condition that an entry may be shown, on its own columns."""
        return f"{alias}.visible_from <= %s", [self.now]

    def kinds_sql(self, alias: str = "e") -> tuple[str, list]:
        if not self.kinds:
            return "1 = 1", []
        marks = ", ".join(["%s"] * len(self.kinds))
        return f"{alias}.kind IN ({marks})", list(self.kinds)

    def count_by_kind(self) -> dict[str, int]:
        """How many entries of each kind match, in one query that stops
        counting past ``CANDIDATES`` matches in all (``is_capped``: the
        counts then say "at least")."""
        if not self:
            return {}
        if self._by_kind is None:
            self._by_kind = {
                kind: total
                for kind, total in self.backend.count_by_kind(self).items()
                if total
            }
        return self._by_kind

    def count(self) -> int:
        """How many results can be paged through: the matches of the kinds
        asked for, at most ``CANDIDATES``."""
        counts = self.count_by_kind()
        kinds = self.kinds or list(counts)
        return min(CANDIDATES, sum(counts.get(kind, 0) for kind in kinds))

    @property
    def is_capped(self) -> bool:
        return sum(self.count_by_kind().values()) > CANDIDATES

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
    """What both backends share. Each says how entries ``e`` match
    (``match_sql``: a condition and its parameters); the candidates are then
    the most recently visible matches, at most ``CANDIDATES``, and the
    entries titled as the query."""

    def match_sql(self, query: SearchQuery, alias: str = "e") -> tuple[str, list]:
        raise NotImplementedError

    def hits(self, query: SearchQuery, offset: int, limit: int) -> list[Hit]:
        raise NotImplementedError

    def candidates_sql(self, query: SearchQuery) -> tuple[str, list]:
        """``SELECT id …`` of the entries a page is ranked among."""
        match, match_params = self.match_sql(query, "m")
        visible, visible_params = query.visible_sql("m")
        kinds, kinds_params = query.kinds_sql("m")
        visible_t, visible_t_params = query.visible_sql("t")
        kinds_t, kinds_t_params = query.kinds_sql("t")
        sql = (
            "SELECT c.id FROM (SELECT m.id FROM search_searchentry m "
            f"WHERE {match} AND {visible} AND {kinds} "
            "ORDER BY m.visible_from DESC, m.id DESC LIMIT %s) c "
            "UNION SELECT t.id FROM search_searchentry t "
            f"WHERE t.title_key = %s AND {visible_t} AND {kinds_t}"
        )
        params = [
            *match_params,
            *visible_params,
            *kinds_params,
            CANDIDATES,
            query.key,
            *visible_t_params,
            *kinds_t_params,
        ]
        return sql, params

    def count_by_kind(self, query: SearchQuery) -> dict[str, int]:
        match, match_params = self.match_sql(query)
        visible, visible_params = query.visible_sql()
        sql = (
            "SELECT s.kind, COUNT(*) FROM (SELECT e.kind FROM search_searchentry e "
            f"WHERE {match} AND {visible} LIMIT %s) s GROUP BY s.kind"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*match_params, *visible_params, CANDIDATES + 1])
            return dict(cursor.fetchall())


class SQLiteBackend(_Backend):
    """FTS5 with the porter stemmer and diacritics removed (see migrations)."""

    TABLE = "search_searchentry_fts"
    WEIGHTS = "10.0, 4.0, 1.0"  # title, keywords, body

    @staticmethod
    def match(query: SearchQuery) -> str:
        # Every term must appear (implicit AND); each may be a word's start.
        return " ".join(f'"{term}"*' for term in query.terms)

    def match_sql(self, query, alias="e"):
        return (
            f"{alias}.id IN (SELECT rowid FROM {self.TABLE} "
            f"WHERE {self.TABLE} MATCH %s)",
            [self.match(query)],
        )

    def hits(self, query, offset, limit):
        candidates, params = self.candidates_sql(query)
        select = (
            f"SELECT e.id, e.kind, e.article_id, e.entity_id, "
            f"bm25({self.TABLE}, {self.WEIGHTS}) AS rank, "
            "e.title, "
            f"snippet({self.TABLE}, 2, char(2), char(3), '…', 28) "
            f"FROM {self.TABLE} JOIN search_searchentry e ON e.id = {self.TABLE}.rowid "
            f"WHERE {self.TABLE} MATCH %s AND e.id IN ({candidates}) "
            "ORDER BY e.title_key = %s DESC, rank, e.id LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                select, [self.match(query), *params, query.key, limit, offset]
            )
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

    def match_sql(self, query, alias="e"):
        return (
            f"{alias}.vector @@ to_tsquery('{self.CONFIG}', %s)",
            [self._tsquery(query)],
        )

    def hits(self, query, offset, limit):
        candidates, params = self.candidates_sql(query)
        # Rank the candidates, cut the page; highlight only the rows shown.
        select = (
            "SELECT page.id, page.kind, page.article_id, page.entity_id, page.rank, "
            "page.title, "
            f"ts_headline('{self.CONFIG}', page.body, page.q, %s) "
            "FROM (SELECT e.id, e.kind, e.article_id, e.entity_id, e.title, e.body, q, "
            "e.title_key = %s AS exact, ts_rank_cd(e.vector, q, 32) AS rank "
            f"FROM search_searchentry e, to_tsquery('{self.CONFIG}', %s) q "
            f"WHERE e.id IN ({candidates}) "
            "ORDER BY exact DESC, rank DESC, e.id LIMIT %s OFFSET %s) page "
            "ORDER BY page.exact DESC, page.rank DESC, page.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                select,
                [
                    self.HEADLINE,
                    query.key,
                    self._tsquery(query),
                    *params,
                    limit,
                    offset,
                ],
            )
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
