"""Reading a reader's query before it is searched for.

The words are cut out as full-text search sees them (folded: lower case,
no accents), and the mention detector (``partnerships.mentions``, the one
place that knows which names stand for which entity) reads the query as it
reads an article. A word the reader typed must appear, or a longer word it
starts. A name of an entity may be written as any of the entity's names:
"Turkey", "Türkiye", "Turkiye" and "Republic of Türkiye" are one clause,
the same for each of them, so they find the same things.

When the names cover the whole query, the query *names* those entities:
they come first, as cards, and what is linked to them (the articles their
editors linked, the partnerships they take part in) is found as well as
what mentions them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.names import (
    designation_spellings,
    fold,
    normalise_name,
    without_stops_in_initials,
)
from partnerships.mentions import MentionDetector, get_detector, is_short_capitals
from partnerships.models import Alias, Entity

MAX_TERMS = 12
MAX_NAMED = 5  # entities a query may name (a name can be several's)
MAX_ALTERNATIVES = 24  # names per clause
_TERM = re.compile(r"[^\W_]+", re.UNICODE)


def words(text: str) -> tuple[str, ...]:
    """``text``'s words as full-text search sees them."""
    return tuple(_TERM.findall(fold(text)))


@dataclass(frozen=True)
class Clause:
    """What every match must hold: a ``word`` the reader typed (or a longer
    word it starts), or one of ``names`` (each a phrase: a tuple of words),
    the names of the entities ``entity_ids``."""

    word: str = ""
    names: tuple[tuple[str, ...], ...] = ()
    entity_ids: tuple[int, ...] = ()
    # The last word of each name may start a longer one ("F-16" finds
    # "F-16C"): a designation the reader typed, not an entity's name.
    open_ended: bool = False


@dataclass(frozen=True)
class Reading:
    """A query, read."""

    text: str
    terms: tuple[str, ...] = ()  # the words the reader typed
    clauses: tuple[Clause, ...] = ()
    # The entities the whole query names (they come first, as cards), and
    # for each name in it, the entities it may stand for.
    named: tuple[int, ...] = ()
    named_by: tuple[tuple[int, ...], ...] = ()
    # A title equal to one of these (normalised) ranks first.
    title_keys: tuple[str, ...] = ()
    # Words worth marking in titles: the typed ones, and those of the names.
    marked: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.clauses)


def read(text: str) -> Reading:
    """Read ``text``: its words, and the entities it names."""
    typed_text, text = text, without_stops_in_initials(text)  # "U.S." is "US"
    typed = [
        (match.start(), match.end(), word)
        for match in _TERM.finditer(text)
        for word in [fold(match.group())]
        if word
    ][:MAX_TERMS]
    if not typed:
        return Reading(typed_text)
    detector = get_detector()
    found = _named_spans(detector, text[: typed[-1][1]])
    # A country's demonym ("Turkish") calls the country too: the word, or
    # any of its names.
    by_demonym = _demonym_spans(detector.demonyms, typed, found)
    found.extend(by_demonym)
    demonym_starts = {start for start, _, _ in by_demonym}
    names = _names_of({i for _, _, ids in found for i in ids})
    # A name whose entities are gone (the detector not yet told) is words.
    spans = [
        (start, end, kept)
        for start, end, ids in found
        if (kept := tuple(i for i in ids if i in names))
        and any(s >= start and e <= end for s, e, _ in typed)
    ]

    clauses: list[Clause] = []
    covered = 0
    for start, end, ids in spans:
        inside = [w for s, e, w in typed if s >= start and e <= end]
        covered += len(inside)
        # Codes ("US", "TR") are left out: as plain words they would match
        # "us" and "tr…"; whatever a code names is linked to it anyway. A
        # designation in capitals ("JF-17") is no code: its words stay.
        alternatives = {
            phrase: None
            for entity_id in ids
            for name in names[entity_id]
            if (not is_short_capitals(name) or any(c.isdigit() for c in name))
            and (phrase := words(name))
        } or {tuple(inside): None}
        if start in demonym_starts:
            alternatives[tuple(inside)] = None
        ordered = sorted(alternatives, key=lambda phrase: (len(phrase), phrase))
        clauses.append(Clause(names=tuple(ordered[:MAX_ALTERNATIVES]), entity_ids=ids))
    in_spans = [
        (s, e, w)
        for s, e, w in typed
        if not any(s >= start and e <= end for start, end, _ in spans)
    ]
    clauses.extend(_word_clauses(text, in_spans))

    whole = bool(spans) and not in_spans and covered == len(typed)
    named = tuple(dict.fromkeys(i for c in clauses for i in c.entity_ids))
    title_keys = designation_spellings(normalise_name(text))
    if whole and len(clauses) == 1:
        title_keys.update(" ".join(phrase) for phrase in clauses[0].names)
    # A designation's letters ("F" of "F-16", "Mi" of "Mi-17") would mark
    # every word they start ("FGA", "France", "missile"): its digits are
    # marked instead.
    short_letters = {
        w
        for c in clauses
        if c.open_ended
        for p in c.names
        for w in p
        if len(w) <= 2 and w.isalpha()
    }
    marked = {w for _, _, w in typed if w not in short_letters}
    for clause in clauses:
        marked.update(
            w
            for phrase in clause.names
            for w in phrase
            # A designation's digits ("17" of "JF-17"), not two letters that
            # start other words ("mi" of "Mi-17": "missile").
            if len(w) > 3 or (clause.open_ended and any(c.isdigit() for c in w))
        )
    return Reading(
        text=typed_text,
        terms=tuple(w for _, _, w in typed),
        clauses=tuple(clauses),
        named=named[:MAX_NAMED] if whole else (),
        named_by=tuple(c.entity_ids for c in clauses if c.entity_ids) if whole else (),
        title_keys=tuple(sorted(title_keys)),
        marked=tuple(sorted(marked)),
    )


def _demonym_spans(
    demonyms: dict[str, tuple[int, ...]],
    typed: list[tuple[int, int, str]],
    found: list[tuple[int, int, tuple[int, ...]]],
) -> list[tuple[int, int, tuple[int, ...]]]:
    """Where the typed words are a country's demonym ("Turkish", "Saudi
    Arabian", "South Korean": one word or two) outside the names found."""
    spans: list[tuple[int, int, tuple[int, ...]]] = []
    taken = [(s, e) for s, e, _ in found]
    n = 0
    while n < len(typed):
        for width in (2, 1):
            run = typed[n : n + width]
            if len(run) < width:
                continue
            start, end = run[0][0], run[-1][1]
            key = " ".join(word for _, _, word in run)
            if key in demonyms and not any(s <= start and end <= e for s, e in taken):
                spans.append((start, end, demonyms[key][:MAX_NAMED]))
                n += width
                break
        else:
            n += 1
    return spans


# What joins the parts of a designation: "F-16", "JF‑17".
_JOINERS = {"-", "\u2010", "\u2011", "\u2013"}


def _word_clauses(text: str, typed: list[tuple[int, int, str]]) -> list[Clause]:
    """The clauses of the words that name nothing: each word (or a longer
    one it starts), but a designation ("F-16", "F16", "S-400", "JF17": a
    word of letters then digits, or words joined by hyphens with a digit
    among them) is its words in a row, written apart or together: "F16"
    finds "F-16", and "S-400" finds neither "ship" nor "4000"."""
    runs: list[list[tuple[int, int, str]]] = []
    for item in typed:
        if runs and text[runs[-1][-1][1] : item[0]] in _JOINERS:
            runs[-1].append(item)
        else:
            runs.append([item])
    clauses: list[Clause] = []
    for run in runs:
        parts = [word for _, _, word in run]
        key = " ".join(parts)
        spellings = designation_spellings(key)
        is_designation = any(c.isdigit() for c in key) and (
            len(parts) > 1 or len(spellings) > 1
        )
        if not is_designation:
            clauses.extend(Clause(word=word) for word in parts)
            continue
        spellings.add("".join(parts))
        phrases = sorted(
            {tuple(s.split()) for s in spellings}, key=lambda p: (len(p), p)
        )
        clauses.append(Clause(names=tuple(phrases[:MAX_ALTERNATIVES]), open_ended=True))
    return clauses


def _named_spans(
    detector: MentionDetector, text: str
) -> list[tuple[int, int, tuple[int, ...]]]:
    """Where the detector finds names in ``text``, and whose they are."""
    spans: dict[tuple[int, int], dict[int, None]] = {}
    for mention in detector.find(text):
        spans.setdefault((mention.start, mention.end), {})[mention.entity_id] = None
    return [(start, end, tuple(ids)[:MAX_NAMED]) for (start, end), ids in spans.items()]


def _names_of(entity_ids: set[int]) -> dict[int, list[str]]:
    """Every name of each entity: its own, then its aliases (one query)."""
    if not entity_ids:
        return {}
    rows = (
        Entity.objects.filter(pk__in=entity_ids)
        .order_by()
        .values_list("pk", "name")
        .union(
            Alias.objects.filter(entity_id__in=entity_ids)
            .order_by()
            .values_list("entity_id", "name"),
            all=True,
        )
    )
    names: dict[int, list[str]] = {}
    for entity_id, name in rows:
        names.setdefault(entity_id, []).append(name)
    return names
