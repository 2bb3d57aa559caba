"""“Did you mean …?” for a query that finds nothing: the closest name of
an entity by edit distance (RapidFuzz's Levenshtein), offered only when
the corrected query finds something.

The names (every entity's name and alias, as the mention detector knows
them) are kept per process, normalised, and reloaded when the
``MentionIndex`` version says a name changed, as the detector is.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from uuid import UUID

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from core.names import normalise_name
from partnerships.mentions import all_names
from partnerships.models import MentionIndex

MAX_WORDS = 3  # the longest run of words a single name may replace


def allowed_edits(key: str) -> int:
    """How many typing slips a word of this length may hold and still be
    corrected: none in very short words, more in long ones."""
    length = len(key.replace(" ", ""))
    if length < 4:
        return 0
    if length < 6:
        return 1
    if length < 10:
        return 2
    return 3


class _Names:
    """The known names, normalised: keys to match, and a name to show."""

    def __init__(self, names):
        shown: dict[str, str] = {}
        for _, name in names:
            key = normalise_name(name)
            if len(key) >= 4:
                shown.setdefault(key, name)
        self.keys = list(shown)
        self.shown = shown

    def closest(self, key: str) -> tuple[str, int] | None:
        """The name closest to ``key`` within its allowed edits, and its
        distance; None when none is close or ``key`` is a name already."""
        edits = allowed_edits(key)
        if not edits or key in self.shown:
            return None
        found = process.extractOne(
            key, self.keys, scorer=Levenshtein.distance, score_cutoff=edits
        )
        if found is None:
            return None
        name, distance, _ = found
        return self.shown[name], int(distance)


_lock = threading.Lock()
_cached: tuple[UUID | None, _Names] | None = None


def known_names() -> _Names:
    global _cached
    version = MentionIndex.current_version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock:
        names = _Names(all_names())
        _cached = (version, names)
        return names


def did_you_mean(text: str, finds: Callable[[str], bool]) -> str | None:
    """A corrected ``text``, with one name (or a run of up to three words)
    replaced by the closest known name, that ``finds`` something; else
    None."""
    words = text.split()
    if not words:
        return None
    names = known_names()
    candidates = []  # (distance, -words replaced, position, corrected text)
    for size in range(min(MAX_WORDS, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            span = " ".join(words[start : start + size])
            closest = names.closest(normalise_name(span))
            if closest is None:
                continue
            name, distance = closest
            corrected = " ".join([*words[:start], name, *words[start + size :]])
            candidates.append((distance, -size, start, corrected))
    for *_, corrected in sorted(candidates)[:3]:
        if normalise_name(corrected) != normalise_name(text) and finds(corrected):
            return corrected
    return None
