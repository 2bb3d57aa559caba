"""Full-text search over the index, ranked and highlighted.

Two backends behind one function, ``search()``: SQLite's FTS5 (the embedded
default) and PostgreSQL's full-text search on a stored, GIN-indexed
``tsvector``. Both fold accents and stem English words, and rank alike:

1. an entry whose title is the query (or, for a query that names an
   entity, one of its names);
2. the entities the query names (``reading.py``);
3. entries whose title holds every word of the query, above those that
   hold them only in their keywords or body;
4. then by relevance, a match in the title weighing more than one in the
   keywords (aliases, codes, tags), more than one in the body;
5. then what is only linked to the named entities (no word of it matches).

Which entries a reader may see is the entry's ``visible_from``, which the
indexer keeps by the rule of ``Article.objects.published()``; ranking,
highlighting and counting stay on a bounded number of matches
(``CANDIDATES``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape

from django.db import connection
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from articles.models import ArticleEntityLink, LinkState
from core.names import fold
from freshness.versions import kept_for_version
from partnerships.models import Participant, PartnershipSystem

from .indexing import ENTITY_MODELS
from .models import SearchEntry
from .reading import Clause, Reading, read

START, STOP = "\x02", "\x03"
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
    (which are folded: lower case, no accents), or that is one of them
    without an ending of up to three letters (its stem: "export" for
    "exporting"; not "may" for "mayotte")."""
    parts, position = [], 0
    for match in _TERM.finditer(text):
        word = fold(match.group())
        if any(
            word.startswith(term)
            or (term.startswith(word) and len(word) > 3 and len(term) - len(word) <= 3)
            for term in terms
        ):
            parts.append(escape(text[position : match.start()], quote=False))
            parts.append(f"<mark>{escape(match.group(), quote=False)}</mark>")
            position = match.end()
    parts.append(escape(text[position:], quote=False))
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped pieces


def _sql(queryset) -> tuple[str, list]:
    sql, params = queryset.order_by().query.sql_with_params()
    return sql, list(params)


def _all_in(column: str, subqueries: list[tuple[str, list]]) -> tuple[str, list]:
    """``column`` is in every one of ``subqueries``."""
    sql = " AND ".join(f"{column} IN ({subquery})" for subquery, _ in subqueries)
    return sql, [param for _, params in subqueries for param in params]


def linked_conditions(reading: Reading, alias: str = "e") -> list[tuple[str, list]]:
    """Conditions on an entry ``alias``'s own columns, each with its
    parameters, that it is one of the named entities themselves or linked
    to every name of the query: an article whose editors linked one of the
    entities it may stand for, a partnership one of them takes part in (as
    a participant, or as a system involved). Whether a reader may see it is
    left to the entry's ``visible_from``.

    Each is a lookup of its own (by article, by record), so every database
    reads the link tables through their indexes."""
    articles, partnerships = [], []
    for ids in reading.named_by:
        articles.append(
            _sql(
                ArticleEntityLink.objects.filter(
                    entity__in=ids, state=LinkState.ACCEPTED
                ).values("article_id")
            )
        )
        taking_part, taking_part_params = _sql(
            Participant.objects.filter(
                Q(country__in=ids) | Q(organisation__in=ids) | Q(bloc__in=ids)
            ).values("partnership_id")
        )
        involved, involved_params = _sql(
            PartnershipSystem.objects.filter(system__in=ids).values("partnership_id")
        )
        partnerships.append(
            (
                f"{taking_part} UNION {involved}",
                [*taking_part_params, *involved_params],
            )
        )
    named = list(reading.named)
    return [
        _all_in(f"{alias}.article_id", articles),
        _all_in(f"{alias}.entity_id", partnerships),
        (f"{alias}.entity_id IN ({_marks(named)})", named),
    ]


def _marks(values) -> str:
    return ", ".join(["%s"] * len(values))


# A query is ranked, highlighted and counted over at most this many of its
# matches (the most recently visible first, and any entry whose title is the
# query or that the query names): the cost of a search does not grow with
# the size of the index.
CANDIDATES = 1000


class SearchQuery:
    """One reader's query, ready to run: counts by kind, and pages.

    What a reader may find is the entry's own ``visible_from`` (see
    ``models.py``): a search reads no other table to know it, so the index
    on the text and the one on that time do all the work."""

    def __init__(self, text: str, kinds: list[str] | None = None):
        self.text = text
        self.kinds = kinds or []
        self.reading = read(text)
        self.terms = list(self.reading.terms)
        self.now = timezone.now()
        self.backend = _BACKENDS[connection.vendor]
        self._by_kind: dict[str, int] | None = None

    def __bool__(self) -> bool:
        return bool(self.reading)

    @property
    def named(self) -> tuple[int, ...]:
        """The entities the whole query names."""
        return self.reading.named

    def visible_sql(self, alias: str = "e") -> tuple[str, list]:
        """The condition that an entry may be shown, on its own columns."""
        return f"{alias}.visible_from <= %s", [self.now]

    def kinds_sql(self, alias: str = "e") -> tuple[str, list]:
        if not self.kinds:
            return "1 = 1", []
        return f"{alias}.kind IN ({_marks(self.kinds)})", list(self.kinds)

    def found_rows_sql(
        self, columns: list[str], where: tuple[str, list] = ("1 = 1", [])
    ) -> tuple[str, list]:
        """``SELECT`` of ``columns`` (among them one that is the entry's
        own, such as ``id``) of every entry found that a reader may see and
        that meets ``where`` (on the entry ``e``), one row each. An entry
        is found if its text matches or, for a query that names entities,
        if it is linked to what the query names.

        Each way of being found is a SELECT of its own, with the columns
        asked for and the reader's condition, under one UNION: each reads
        the entries through its own index, and the UNION needs no second
        look at the entries table (an ``id IN (…)`` of their ids made the
        database read the whole table to join them back)."""
        ways = [self.backend.match_sql(self, "e")]
        if self.reading.named:
            ways.extend(linked_conditions(self.reading, "e"))
        visible, visible_params = self.visible_sql("e")
        condition, condition_params = where
        selected = ", ".join(f"e.{column}" for column in columns)
        parts, params = [], []
        for found, found_params in ways:
            parts.append(
                f"SELECT {selected} FROM search_searchentry e "
                f"WHERE {found} AND {visible} AND {condition}"
            )
            params.extend([*found_params, *visible_params, *condition_params])
        return " UNION ".join(parts), params

    def first_sql(self, alias: str = "e") -> tuple[str, list]:
        """The condition that an entry ranks first whatever its date: its
        title is the query (or one of the names it names), or it is one of
        the entities named."""
        keys = list(self.reading.title_keys)
        sql, params = f"{alias}.title_key IN ({_marks(keys)})", list[object](keys)
        if self.reading.named:
            named = list(self.reading.named)
            sql = f"({sql} OR {alias}.entity_id IN ({_marks(named)}))"
            params = [*params, *named]
        return sql, params

    def ordering_sql(self, alias: str = "e") -> tuple[str, list]:
        """The columns every backend ranks by first: an exact title, a named
        entity (each then DESC)."""
        keys = list(self.reading.title_keys)
        named = list(self.reading.named) or [0]
        sql = (
            f"{alias}.title_key IN ({_marks(keys)}) AS exact, "
            f"COALESCE({alias}.entity_id IN ({_marks(named)}), FALSE) AS named"
        )
        return sql, [*keys, *named]

    def count_by_kind(self) -> dict[str, int]:
        """How many entries of each kind are found, in one query that stops
        counting past ``CANDIDATES`` in all (``is_capped``: the counts then
        say "at least")."""
        if not self:
            return {}
        if self._by_kind is None:
            # Counted once per version of the data and reading of the query
            # (what it matches and names, not how it was typed), as a
            # list's counts are: what a reader may find changes only with it.
            reading = self.reading
            self._by_kind = kept_for_version(
                "search-counts:"
                + repr((reading.clauses, reading.named, reading.named_by)),
                lambda: {
                    kind: total
                    for kind, total in self.backend.count_by_kind(self).items()
                    if total
                },
            )
        return self._by_kind

    def found_keys(self, kind: str) -> list[int]:
        """The articles (``kind`` "article") or records of that kind found,
        every one a reader may see, unranked and uncapped: what a list's
        free-text filter keeps (``core.free_text``), in one query."""
        if not self:
            return []
        column = "article_id" if kind == "article" else "entity_id"
        # The kind is checked on each entry the text finds, not walked
        # through its own index: that walk reads every entry of the kind
        # (nearly all of them are articles) to test the text of each.
        sql, params = self.found_rows_sql([column], ("(e.kind || '') = %s", [kind]))
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [key for (key,) in cursor.fetchall()]

    def ranked(self) -> list[tuple[int, float | None]]:
        """The candidates (``_Backend.candidates_sql``: the newest entries
        found, and those that rank first) in the order a reader is shown
        them, each with its rank (None: found by a link only). Found and
        ranked in one query, once per version of the data, reading of the
        query and kinds asked for (as its counts are), and kept for every
        page of it: finding and ranking them is what takes a query's time,
        not reading the twenty rows of a page."""
        reading = self.reading
        key = (
            reading.clauses,
            reading.named,
            reading.named_by,
            reading.title_keys,
            sorted(self.kinds),
        )
        return kept_for_version(
            "search-ranked:" + repr(key), lambda: self.backend.ranked(self)
        )

    def count(self) -> int:
        """How many results can be paged through: those of the kinds asked
        for, at most ``CANDIDATES``."""
        counts = self.count_by_kind()
        kinds = self.kinds or list(counts)
        return min(CANDIDATES, sum(counts.get(kind, 0) for kind in kinds))

    @property
    def is_capped(self) -> bool:
        return sum(self.count_by_kind().values()) > CANDIDATES

    def hits(self, offset: int, limit: int) -> list[Hit]:
        if not self:
            return []
        page = self.ranked()[offset : offset + limit]
        if not page:
            return []
        rows = {
            row[0]: row for row in self.backend.page_rows(self, [i for i, _ in page])
        }
        return [
            self._hit((id_, *rows[id_][1:4], rank, *rows[id_][4:]))
            for id_, rank in page
            if id_ in rows
        ]

    def _hit(self, row) -> Hit:
        id_, kind, article, entity, rank, title, snip, body = row
        return Hit(
            id_,
            kind,
            article,
            entity,
            rank or 0.0,
            highlight_terms(title, list(self.reading.marked)),
            highlighted(snip) if snip else _opening(body),
        )

    # Paginator support: len() and slicing run the query for that page.
    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[Hit]:
        start, stop = item.start or 0, item.stop
        return self.hits(start, stop - start)


def _opening(body: str, words: int = 30) -> SafeString:
    """The first words of an entry that was found by a link, not its text."""
    parts = (body or "").split()
    text = " ".join(parts[:words]) + (" …" if len(parts) > words else "")
    return highlighted(text)


class _Backend:
    """What both backends share. Each says how entries ``e`` match
    (``match_sql``: a condition and its parameters); the candidates are then
    the most recently visible entries found (``found_rows_sql``), at most
    ``CANDIDATES``, and the entries that rank first whatever their date
    (``first_sql``)."""

    def match_sql(self, query: SearchQuery, alias: str = "e") -> tuple[str, list]:
        raise NotImplementedError

    def ranked(self, query: SearchQuery) -> list[tuple[int, float | None]]:
        """The candidates' ids in the order shown, with their ranks (higher
        better; None for those found by a link only)."""
        raise NotImplementedError

    def page_rows(self, query: SearchQuery, ids: list[int]) -> list[tuple]:
        """(id, kind, article, entity, title, snippet, body) of entries
        ``ids``, in any order: the snippet (highlighted where the text
        matches) is made for these rows only."""
        raise NotImplementedError

    def candidates_sql(self, query: SearchQuery) -> tuple[str, list]:
        """``SELECT id …`` of the entries a page is ranked among."""
        found, found_params = query.found_rows_sql(
            ["id", "visible_from"], query.kinds_sql("e")
        )
        first, first_params = query.first_sql("t")
        visible_t, visible_t_params = query.visible_sql("t")
        kinds_t, kinds_t_params = query.kinds_sql("t")
        sql = (
            f"SELECT c.id FROM (SELECT m.id FROM ({found}) m "
            "ORDER BY m.visible_from DESC, m.id DESC LIMIT %s) c "
            "UNION SELECT t.id FROM search_searchentry t "
            f"WHERE {first} AND {visible_t} AND {kinds_t}"
        )
        params = [
            *found_params,
            CANDIDATES,
            *first_params,
            *visible_t_params,
            *kinds_t_params,
        ]
        return sql, params

    def count_by_kind(self, query: SearchQuery) -> dict[str, int]:
        found, params = query.found_rows_sql(["id", "kind"])
        sql = (
            "SELECT s.kind, COUNT(*) FROM (SELECT f.kind FROM "
            f"({found}) f LIMIT %s) s GROUP BY s.kind"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, CANDIDATES + 1])
            return dict(cursor.fetchall())


class SQLiteBackend(_Backend):
    """FTS5 with the porter stemmer and diacritics removed (see migrations)."""

    TABLE = "search_searchentry_fts"
    WEIGHTS = "10.0, 4.0, 1.0"  # title, keywords, body

    @staticmethod
    def _clause(clause: Clause) -> str:
        # Words are letters and digits only: they cannot break the syntax.
        if clause.word:
            return f'"{clause.word}"*'  # the word, or a longer one it starts
        end = "*" if clause.open_ended else ""
        return "(" + " OR ".join(f'"{" ".join(p)}"{end}' for p in clause.names) + ")"

    def match(self, query: SearchQuery) -> str:
        # Every clause must match (AND).
        return " AND ".join(self._clause(c) for c in query.reading.clauses)

    def match_sql(self, query, alias="e"):
        matching = f"SELECT rowid FROM {self.TABLE} WHERE {self.TABLE} MATCH %s"
        return f"{alias}.id IN ({matching})", [self.match(query)]

    def ranked(self, query):
        candidates, params = self.candidates_sql(query)
        ordering, ordering_params = query.ordering_sql()
        match = self.match(query)
        in_title = (
            f"e.id IN (SELECT rowid FROM {self.TABLE} WHERE {self.TABLE} MATCH %s)"
        )
        # The candidates whose text matches are ranked by bm25 (worked out
        # once for the query); those only linked to a named entity follow
        # them.
        select = (
            f"WITH candidate AS ({candidates}) "
            "SELECT found.id, found.score FROM ("
            f"SELECT e.id, bm25({self.TABLE}, {self.WEIGHTS}) AS score, "
            f"{ordering}, {in_title} AS in_title "
            f"FROM {self.TABLE} JOIN search_searchentry e "
            f"ON e.id = {self.TABLE}.rowid "
            f"WHERE {self.TABLE} MATCH %s AND e.id IN (SELECT id FROM candidate) "
            f"UNION ALL SELECT e.id, NULL, {ordering}, FALSE "
            "FROM search_searchentry e WHERE e.id IN (SELECT id FROM candidate) "
            f"AND e.id NOT IN (SELECT rowid FROM {self.TABLE} "
            f"WHERE {self.TABLE} MATCH %s)) found "
            "ORDER BY found.exact DESC, found.named DESC, found.in_title DESC, "
            "found.score IS NULL, found.score, found.id"
        )
        title_match = f"title : ({match})"
        with connection.cursor() as cursor:
            cursor.execute(
                select,
                [
                    *params,
                    *ordering_params,
                    title_match,
                    match,
                    *ordering_params,
                    match,
                ],
            )
            # bm25 is better the lower it is: a rank is better the higher.
            return [
                (id_, -score if score is not None else None)
                for id_, score in cursor.fetchall()
            ]

    def page_rows(self, query, ids):
        select = (
            "SELECT e.id, e.kind, e.article_id, e.entity_id, e.title, "
            f"(SELECT snippet({self.TABLE}, 2, char(2), char(3), '…', 28) "
            f"FROM {self.TABLE} WHERE {self.TABLE} MATCH %s "
            f"AND {self.TABLE}.rowid = e.id), e.body "
            "FROM search_searchentry e WHERE e.id IN (SELECT value FROM json_each(%s))"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                select, [self.match(query), "[" + ",".join(map(str, ids)) + "]"]
            )
            return cursor.fetchall()


# Single letters in PostgreSQL's English stop words.
STOP_LETTERS = frozenset("adimosty")


class PostgreSQLBackend(_Backend):
    """A stored tsvector (weights A title, B keywords, C body) under a GIN
    index, in the ``coopsite`` text search configuration: English stemming
    after unaccent (see migrations)."""

    CONFIG = "coopsite"
    HEADLINE = (
        f"StartSel={START}, StopSel={STOP}, MaxWords=40, MinWords=18, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )

    @staticmethod
    def _clause(clause: Clause, weight: str = "") -> str:
        # Words are letters and digits only: they cannot break the syntax.
        if clause.word:
            return f"{clause.word}:*{weight}"  # the word, or a longer one it starts

        def term(word: str, last: bool) -> str:
            star = "*" if last and clause.open_ended else ""
            return f"{word}:{star}{weight}" if star or weight else word

        def variants(phrase: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
            # A designation's (typed, or an entity's name: "JF-17 Thunder").
            signed = any(w.isdigit() for w in phrase[1:])
            # A letter English stemming drops ("s" of "S-400") would leave
            # "400…" alone, which "4000" starts: the signed form only.
            if not (signed and phrase[0] in STOP_LETTERS):
                yield phrase
            # PostgreSQL's parser reads the "-17" of "JF-17" as a signed
            # number: a designation's digits after letters are that too.
            if signed:
                yield (
                    phrase[0],
                    *(f"'-{w}'" if w.isdigit() else w for w in phrase[1:]),
                )

        phrases = (
            " <-> ".join(term(w, n == len(words) - 1) for n, w in enumerate(words))
            for phrase in clause.names
            for words in variants(phrase)
        )
        return "(" + " | ".join(f"({phrase})" for phrase in phrases) + ")"

    def _tsquery(self, query: SearchQuery, weight: str = "") -> str:
        # Every clause must match; "A" keeps to the title.
        return " & ".join(self._clause(c, weight) for c in query.reading.clauses)

    def match_sql(self, query, alias="e"):
        return (
            f"{alias}.vector @@ to_tsquery('{self.CONFIG}', %s)",
            [self._tsquery(query)],
        )

    def ranked(self, query):
        candidates, params = self.candidates_sql(query)
        ordering, ordering_params = query.ordering_sql()
        select = (
            "SELECT r.id, r.rank FROM (SELECT e.id, "
            f"{ordering}, "
            f"e.vector @@ to_tsquery('{self.CONFIG}', %s) AS in_title, "
            "ts_rank_cd(e.vector, q, 32) AS rank "
            f"FROM search_searchentry e, to_tsquery('{self.CONFIG}', %s) q "
            f"WHERE e.id IN ({candidates})) r "
            "ORDER BY r.exact DESC, r.named DESC, r.in_title DESC, r.rank DESC, r.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                select,
                [
                    *ordering_params,
                    self._tsquery(query, "A"),
                    self._tsquery(query),
                    *params,
                ],
            )
            return cursor.fetchall()

    def page_rows(self, query, ids):
        # The page's rows, one array parameter (not a placeholder each).
        select = (
            "SELECT e.id, e.kind, e.article_id, e.entity_id, e.title, "
            f"ts_headline('{self.CONFIG}', e.body, to_tsquery('{self.CONFIG}', %s), %s), "
            "e.body FROM search_searchentry e WHERE e.id = ANY(%s::bigint[])"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                select,
                [
                    self._tsquery(query),
                    self.HEADLINE,
                    "{" + ",".join(map(str, ids)) + "}",
                ],
            )
            return cursor.fetchall()


_BACKENDS = {"sqlite": SQLiteBackend(), "postgresql": PostgreSQLBackend()}


class StaffSearchQuery(SearchQuery):
    """A query of staff in the admin: what readers may not see is found
    too (never on a public page: only ``found_in_list(unpublished=True)``
    makes one)."""

    def visible_sql(self, alias: str = "e") -> tuple[str, list]:
        return "1 = 1", []


def search(text: str, kinds: list[str] | None = None) -> SearchQuery:
    return SearchQuery(text, kinds)


def found_in_list(
    model: type[Model], text: str, *, unpublished: bool = False
) -> list[int]:
    """The keys of the rows of ``model`` a reader may see that ``text``
    finds, as the search page finds them: a public list's free-text filter
    (``core.free_text``, registered in ``apps.py``); ``unpublished``, those
    readers may not see too (the admin's search: drafts, scheduled)."""
    kind = str(model._meta.model_name)
    if kind != "article" and kind not in ENTITY_MODELS:
        raise ValueError(f"{model.__name__} is not in the search index")
    query = StaffSearchQuery(text) if unpublished else SearchQuery(text)
    return query.found_keys(kind)


def names_holding(model: type[Model], folded: str, *, whole: bool = False):
    """The records of ``model`` whose name, folded (the entry's
    ``title_key``), holds ``folded`` (or, ``whole``, is it), as a query of
    their keys: a name typed without its accents
    (``core.free_text.names_holding``, registered in ``apps.py``)."""
    kind = str(model._meta.model_name)
    if kind not in ENTITY_MODELS or not folded:
        return []
    lookup = "title_key" if whole else "title_key__contains"
    return (
        SearchEntry.objects.filter(kind=kind, **{lookup: folded})
        .order_by()
        .values("entity_id")
    )
