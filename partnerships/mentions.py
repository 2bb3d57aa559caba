"""Finding mentions of entities in prose.

One Aho–Corasick automaton (pyahocorasick) holds every entity's name and
aliases, so finding mentions costs time linear in the text and flat in the
number of names. Matching is:

* whole words only: keys and text are reduced to words separated by single
  spaces, and each key is anchored on both sides (" oman "), so "Oman" never
  matches inside "Romania" and the automaton reports nothing else;
* accent-, case- and punctuation-insensitive ("Turkiye" finds Türkiye,
  "Congo - Brazzaville" finds Congo-Brazzaville), except that short
  all-capital aliases ("US", "UN", "KAI") match only in capitals;
* longest match first: "missile defense system" wins over "missile";
* tolerant of possessives and plurals: "India's", "TB2s", "Rafales".

The automaton is built once per process and reused; :class:`MentionIndex`
holds a version number that every change to a name or an alias bumps, so
each app process notices and rebuilds on its next use.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate, repeat
from operator import add
from uuid import UUID

import ahocorasick

from core.names import fold, normalise_name

from .reference_data import demonym_list

# Aliases of at most this many letters and digits, written in capitals, match
# only when the text has them in capitals too.
SHORT_CAPITALS_LENGTH = 4
SNIPPET_RADIUS = 90
_WORD = re.compile(r"[^\W_]+|&", re.UNICODE)
_URL = re.compile(r"\b(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
PLURAL_SUFFIXES = ("s", "es")


def is_short_capitals(alias: str) -> bool:
    letters = [ch for ch in alias if ch.isalpha()]
    return (
        bool(letters)
        and len(_letters(alias)) <= SHORT_CAPITALS_LENGTH
        and all(ch.isupper() for ch in letters)
    )


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity's name in a piece of text."""

    entity_id: int
    start: int  # offsets in the original text
    end: int
    text: str


@dataclass
class Detection:
    """What the detector found of one entity in a whole document."""

    entity_id: int
    count: int = 0
    snippet: str = ""
    forms: set[str] = field(default_factory=set)


def _fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """``text`` folded (lower case, no accents), and for each folded
    character its index in ``text`` (None when the two line up one to one,
    which is almost always)."""
    if text.isascii():
        return text.lower(), None
    table = {ord(ch): fold(ch) for ch in set(text)}
    folded = text.translate(table)
    if len(folded) == len(text) and all(len(v) == 1 for v in table.values()):
        return folded, None
    offsets = []
    for index, ch in enumerate(text):
        offsets.extend([index] * len(table[ord(ch)]))
    offsets.append(len(text))
    return folded, offsets


class _Words:
    """A text cut into words, joined by single spaces, each word mapped back
    to its place in the original text."""

    __slots__ = ("joined", "matches", "offsets", "word_starts")

    def __init__(self, text: str):
        folded, self.offsets = _fold_with_offsets(text)
        # All C-level work: a text of 10,000 words takes a few milliseconds.
        self.matches = list(_WORD.finditer(folded))
        words = _WORD.findall(folded)
        if "&" in folded:
            words = ["and" if word == "&" else word for word in words]
        # " word word word " : every word starts right after a space.
        self.joined = " " + " ".join(words) + " "
        self.word_starts = list(
            accumulate(map(add, map(len, words), repeat(1)), initial=1)
        )

    def word_at(self, position: int) -> int:
        """Index of the word starting at or containing ``position``."""
        return bisect_right(self.word_starts, position) - 1

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Where words ``first`` to ``last`` stand in the original text."""
        start, end = self.matches[first].start(), self.matches[last].end()
        if self.offsets is None:
            return start, end
        return self.offsets[start], self.offsets[end - 1] + 1


class MentionDetector:
    """Finds every known name in a text. Build once, use many times."""

    # Countries by demonym (``all_names``), for reading queries: set by
    # ``get_detector``, which builds the one every process uses.
    demonyms: dict[str, tuple[int, ...]] = {}

    def __init__(self, names: Iterable[tuple[int, str]]):
        forms: dict[str, dict[tuple[int, str | None], None]] = {}
        for entity_id, name in names:
            key = normalise_name(name)
            if len(key) < 2:
                continue
            exact = name.strip() if is_short_capitals(name) else None
            forms.setdefault(key, {})[(entity_id, exact)] = None
        self.size = len(forms)
        # Keys are anchored on both sides (" key "), so the automaton itself
        # only reports whole words: the work per text stays the same however
        # many names there are. Plural forms (" keys ", " keyes ") are keys
        # too, unless a real name already reads that way. The automaton
        # stores plain integers (key number × 3 + which ending), which keeps
        # its memory to the trie itself.
        self._keys: list[tuple[int, tuple[tuple[int, str | None], ...]]] = []
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for key, key_forms in forms.items():
            number = len(self._keys) * 3
            self._keys.append((len(key), tuple(key_forms)))
            for ending, suffix in enumerate(PLURAL_SUFFIXES, start=1):
                if key + suffix not in forms:
                    self._automaton.add_word(f" {key}{suffix} ", number + ending)
        for number, key in enumerate(forms):
            self._automaton.add_word(f" {key} ", number * 3)
        if forms:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[Mention]:
        """Mentions in plain ``text``, in order, longest match first."""
        if not self.size or not text:
            return []
        words = _Words(mask_urls(text))
        candidates = []
        for end_index, value in self._automaton.iter(words.joined):
            number, ending = divmod(value, 3)
            key_length, forms = self._keys[number]
            # end_index is the space after the match, which starts this many
            # characters before it.
            length = key_length + (len(PLURAL_SUFFIXES[ending - 1]) if ending else 0)
            first = words.word_at(end_index - length)
            last = words.word_at(end_index - 1)
            begin, finish = words.span(first, last)
            original = text[begin:finish]
            ids = tuple(
                dict.fromkeys(
                    entity_id
                    for entity_id, exact in forms
                    if exact is None or _capitals_match(original, exact)
                )
            )
            if ids:
                candidates.append((first, last, ids, begin, finish))
        return _longest_first(candidates, text)

    def detect(self, segments: Iterable[str]) -> dict[int, Detection]:
        """Count the mentions of each entity across ``segments`` of one
        document, with a snippet of the first."""
        found: dict[int, Detection] = {}
        for segment in segments:
            for mention in self.find(segment):
                detection = found.get(mention.entity_id)
                if detection is None:
                    detection = found[mention.entity_id] = Detection(
                        mention.entity_id, snippet=snippet(segment, mention)
                    )
                detection.count += 1
                detection.forms.add(mention.text)
        return found


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _capitals_match(original: str, exact: str) -> bool:
    """``original`` has the letters of ``exact`` in the same case (ignoring
    punctuation: "U.S" for "U.S."), allowing a plural ending."""
    written, wanted = _letters(original), _letters(exact)
    return written == wanted or (
        written.startswith(wanted) and written[len(wanted) :] in PLURAL_SUFFIXES
    )


def _longest_first(candidates, text: str) -> list[Mention]:
    """Keep the leftmost, then longest, of overlapping matches."""
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    mentions: list[Mention] = []
    next_free = 0
    for first, last, ids, start, end in candidates:
        if first < next_free:
            continue
        next_free = last + 1
        mentions.extend(
            Mention(entity_id, start, end, text[start:end]) for entity_id in ids
        )
    return mentions


def mask_urls(text: str) -> str:
    """Blank out web and e-mail addresses, keeping every other offset."""
    if "://" not in text and "www." not in text and "@" not in text:
        return text
    return _URL.sub(lambda m: " " * len(m.group()), text)


def snippet(text: str, mention: Mention, radius: int = SNIPPET_RADIUS) -> str:
    """The sentence-ish stretch of ``text`` around ``mention``."""
    start = max(0, mention.start - radius)
    end = min(len(text), mention.end + radius)
    if start > 0:
        space = text.find(" ", start, mention.start)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", mention.end, end)
        end = space if space != -1 else end
    body = " ".join(text[start:end].split())
    return f"{'… ' if start > 0 else ''}{body}{' …' if end < len(text) else ''}"


# --- The process-wide detector ------------------------------------------------

_lock = threading.Lock()
_cached: tuple[UUID | None, MentionDetector] | None = None


def all_names(
    demonyms: dict[str, list[int]] | None = None,
) -> Iterable[tuple[int, str]]:
    """Every entity's name and every alias, as (entity id, name); and, in
    ``demonyms`` where given, the countries by their demonyms, normalised
    ("turkish": Türkiye's id), read in the same pass: what a reader's query
    may call a country, not a name the detector finds in articles
    ("Turkish Aerospace" is a company, not Türkiye)."""
    from .models import Alias, Entity

    if demonyms is None:
        yield from Entity.objects.values_list("pk", "name").iterator(chunk_size=5000)
    else:
        rows = Entity.objects.values_list("pk", "name", "country__demonym")
        for pk, name, demonym in rows.order_by("pk").iterator(chunk_size=5000):
            for each in demonym_list(demonym or ""):
                if key := normalise_name(each):
                    demonyms.setdefault(key, []).append(pk)
            yield pk, name
    yield from Alias.objects.values_list("entity_id", "name").iterator(chunk_size=5000)


def get_detector() -> MentionDetector:
    """The detector for every entity now known, rebuilt when a name or an
    alias changed since this process last built it (in any process)."""
    from .models import MentionIndex

    global _cached
    version = MentionIndex.current_version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock:
        if _cached is not None and _cached[0] == version:
            return _cached[1]
        demonyms: dict[str, list[int]] = {}
        detector = MentionDetector(all_names(demonyms))
        detector.demonyms = {key: tuple(ids) for key, ids in demonyms.items()}
        _cached = (version, detector)
        return detector
