"""How names are compared (accent-, case- and punctuation-insensitive), and
how they become slugs.

Every lookup of an entity by name (the country resolver, alias uniqueness, and
the mention detector) goes through :func:`normalise_name`, so "Türkiye",
"TURKIYE" and "Turkiye" are one key, and so are "Antigua & Barbuda" and
"Antigua and Barbuda" or "Congo - Brazzaville" and "Congo-Brazzaville".
"""

import functools
import re
import unicodedata

# Latin letters that do not decompose under NFKD but that readers treat as the
# plain letter when searching.
_LATIN_SPECIALS = str.maketrans(
    {
        "ı": "i",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ł": "l",
        "Ł": "l",
        "ħ": "h",
        "Ħ": "h",
        "þ": "th",
        "Þ": "th",
        "ð": "d",
        "Ð": "d",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ß": "ss",
        "’": "'",
        "‘": "'",
        "ʼ": "'",
    }
)

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case ``text`` and strip accents, keeping everything else."""
    if text.isascii():  # nothing to strip (most names): 20 times quicker
        return text.lower()
    # Word by word, each word folded once: the words of names repeat (an
    # import folds tens of thousands of names made of a few hundred country
    # names), and a space, which every step leaves as it is and which no
    # accent follows into the word before it, parts them without changing
    # the result.
    return " ".join([_fold_word(word) for word in text.split(" ")])


@functools.lru_cache(maxsize=1 << 14)
def _fold_word(text: str) -> str:
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_LATIN_SPECIALS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def normalise_name(text: str) -> str:
    """The comparison key of a name: folded, '&' read as 'and', punctuation
    and runs of spaces collapsed to one space."""
    folded = fold(text).replace("&", " and ")
    return _NOT_WORD.sub(" ", folded).strip()


# Initials with full stops, in capitals: "U.S.", "U.S.S.R.", "U.K" (the
# last stop may be left out); not "e.g." or "i.e." in a sentence.
_INITIALS = re.compile(r"(?<![^\W\d_])((?:[A-Z]\.){1,}[A-Z])\.?(?![^\W\d_])")


def without_stops_in_initials(text: str) -> str:
    """``text`` with initials in capitals written as one word, as codes
    are: "U.S." is "US", "U.S.S.R." "USSR" (a reader types them either
    way); "e.g." stays as it is."""
    if "." not in text:
        return text
    return _INITIALS.sub(lambda match: match.group(1).replace(".", ""), text)


# Where letters are followed by digits in a normalised name: "f16" (typed
# "F16"), "f 16" (written "F-16").
_LETTERS_DIGITS = re.compile(r"(?<=[^\W\d_])(?=\d)")
_SPACED_JUNCTION = re.compile(r"(?<=[^\W\d_]) (?=\d)")


def designation_spellings(key: str) -> set[str]:
    """The ways a designation's normalised name is written, its letters
    and the digits after them apart or together: "f16" and "f 16" (typed
    "F16", written "F-16"), "s 400" and "s400". ``key`` is
    ``normalise_name``'s."""
    return {key, _LETTERS_DIGITS.sub(" ", key), _SPACED_JUNCTION.sub("", key)}


_NOT_IN_SLUG = re.compile(r"[^\w\s-]")
_DASHES = re.compile(r"[-\s]+")


def slugify_name(text: str) -> str:
    """An ASCII slug that keeps letters Django's slugify would drop
    ("Akıncı" gives "akinci", not "aknc")."""
    folded = fold(text)
    if folded.isascii():
        # What Django's slugify does to ASCII text (which its NFKD step
        # leaves as it is), at half its cost: an import slugs tens of
        # thousands of names.
        return _DASHES.sub("-", _NOT_IN_SLUG.sub("", folded.lower())).strip("-_")
    from django.utils.text import slugify

    return slugify(folded)


def reserve_slug(
    text: str, taken: set[str], *, max_length: int = 200, fallback: str = "item"
) -> str:
    """A slug for ``text`` that is not in ``taken``, which it joins: the
    slug itself, else the first free "-2", "-3"... (cut to fit
    ``max_length``). The one rule every slug on the site is made by."""
    base = slugify_name(text)[:max_length].strip("-") or fallback
    slug, number = base, 2
    while slug in taken:
        suffix = f"-{number}"
        slug, number = f"{base[: max_length - len(suffix)]}{suffix}", number + 1
    taken.add(slug)
    return slug


def unique_slug(queryset, text: str, *, max_length: int = 200) -> str:
    """A slug for ``text`` that no row of ``queryset`` uses yet."""
    base = slugify_name(text)[:max_length].strip("-") or "item"
    taken = set(queryset.filter(slug__startswith=base).values_list("slug", flat=True))
    return reserve_slug(text, taken, max_length=max_length)
