"""What every output format needs so that hostile text stays text.

One place for each rule (SECURITY.md lists where each is applied):

- ``refuse_control_characters``: a form validator. Control characters are
  invisible, and XML 1.0 cannot carry most of them: a form feed in a title
  once made every feed listing it fail. Tabs and line breaks stay allowed.
- ``strip_xml_illegal``: the last line for XML outputs (feeds, sitemap):
  whatever reached the database by another path is dropped, not served.
- ``spreadsheet_safe``: a CSV cell a spreadsheet would evaluate (it starts
  with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, OWASP's list,
  or their full-width forms) gets a leading ``'``, which spreadsheets show as
  text. Numbers the site writes itself (coordinates) are left alone.
- ``script_safe_json``: JSON that may sit inside ``<script>`` (JSON-LD) or be
  evaluated as JavaScript: ``<``, ``>``, ``&`` and U+2028/U+2029 escaped.
  The result is still valid JSON meaning the same thing.
- ``http_url``: only http(s) addresses are offered as links.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

# C0 controls but tab, line feed and carriage return; DEL; C1 controls;
# the two non-characters XML forbids.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# What XML 1.0 cannot hold at all (C1 and DEL it can; they are refused at
# the forms, and kept if a dataset really has them).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

_JSON_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def refuse_control_characters(value) -> None:
    """Form validator: no invisible control characters."""
    if isinstance(value, str) and (found := CONTROL_CHARACTERS.search(value)):
        raise ValidationError(
            "This contains an invisible control character (U+%(code)04X) at "
            "position %(position)d: delete it and type the text again.",
            code="control_character",
            params={"code": ord(found.group()), "position": found.start() + 1},
        )


def strip_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


def strip_xml_illegal(text: str) -> str:
    return XML_ILLEGAL.sub("", text)


def spreadsheet_safe(value):
    """A CSV cell a spreadsheet shows as typed, never evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# A cell's first character decides (each prefix is one character; were a
# longer one added, its first character would neutralise more, never less).
_FORMULA_FIRST = frozenset(prefix[0] for prefix in FORMULA_PREFIXES)


def spreadsheet_safe_cells(cells: list) -> list:
    """:func:`spreadsheet_safe` for a row of cells at once (a large download
    calls it for every row): text tested by its first character, any other
    value kept."""
    return [
        "'" + cell if isinstance(cell, str) and cell[:1] in _FORMULA_FIRST else cell
        for cell in cells
    ]


def script_safe_json(data, **kwargs) -> str:
    """``json.dumps`` whose output is safe inside ``<script>``: ``<``, ``>``,
    ``&``, U+2028 and U+2029 as ``\\u`` escapes. (Five ``replace`` calls:
    ``str.translate`` with a table looks up every character, 0.3 ms for an
    article page's JSON-LD against 0.02 ms.)"""
    text = json.dumps(data, ensure_ascii=False, **kwargs)
    for character, escape in _JSON_ESCAPES.items():
        text = text.replace(chr(character), escape)
    return text


_LINE_ENCODER = json.JSONEncoder(ensure_ascii=False)


def script_safe_json_lines(records: Iterable) -> bytes:
    """JSON Lines (UTF-8) of ``records``, each line what
    :func:`script_safe_json` writes of its record, escaped all at once
    (:func:`script_safe_json_bytes`): a download of hundreds of thousands of
    rows writes them a few thousand at a time."""
    text = "".join([_LINE_ENCODER.encode(record) + "\n" for record in records])
    return script_safe_json_bytes(text.encode())


def markup_safe_json_bytes(raw: bytes) -> bytes:
    """UTF-8 JSON text with ``<``, ``>`` and ``&`` written as ``\\u`` escapes
    (which JSON only has inside strings): the same data, and never markup
    wherever the text ends up. U+2028/2029 are left to the encoder."""
    return (
        raw.replace(b"&", b"\\u0026")
        .replace(b"<", b"\\u003c")
        .replace(b">", b"\\u003e")
    )


def script_safe_json_bytes(raw: bytes) -> bytes:
    """UTF-8 JSON text as :func:`script_safe_json` writes it: ``<``, ``>``,
    ``&``, U+2028 and U+2029 as ``\\u`` escapes (all of which JSON only has
    inside strings, so the text may be escaped in pieces of whole rows)."""
    return (
        markup_safe_json_bytes(raw)
        .replace("\u2028".encode(), b"\\u2028")
        .replace("\u2029".encode(), b"\\u2029")
    )


def http_url(url: str | None) -> str:
    """``url`` if it is an absolute http(s) address, else the empty string."""
    if not url:
        return ""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    if CONTROL_CHARACTERS.search(url) or any(c.isspace() for c in url):
        return ""
    return url
