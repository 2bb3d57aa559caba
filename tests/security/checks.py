"""What counts as a survivor: markup from a payload that a browser would
run, in any output of the site."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

DANGEROUS_ELEMENTS = {
    "iframe", "frame", "frameset", "object", "embed", "applet", "base",
    "style", "template", "isindex", "noscript", "math",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data|file):", re.I)
SAFE_SCRIPT_TYPES = {"application/ld+json", "application/json"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


class _Survivors(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script: str | None = None
        self.scripts: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in DANGEROUS_ELEMENTS:
            self.found.append(f"<{tag}>")
        if tag == "script":
            src = attributes.get("src") or ""
            kind = attributes.get("type") or ""
            if src:
                if not src.startswith(("/static/", "/admin/jsi18n/")):
                    self.found.append(f"<script src={src!r}>")
            elif kind not in SAFE_SCRIPT_TYPES:
                self.found.append(f"<script type={kind!r}> inline")
            self._in_script = kind
        if tag == "meta" and "http-equiv" in attributes:
            self.found.append(f"<meta http-equiv={attributes['http-equiv']!r}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if (
                name in URL_ATTRIBUTES
                and value
                and BAD_SCHEME.match(re.sub(r"[\x00-\x20]", "", value))
            ):
                self.found.append(f"<{tag} {name}={value[:40]!r}>")
            if name == "style":
                self.found.append(f"<{tag} style=…>")
            if name == "srcdoc":
                self.found.append(f"<{tag} srcdoc>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts.append((self._in_script, data))


def html_survivors(html: str) -> list[str]:
    """Elements, attributes and addresses a payload must never become, and
    script blocks that do not parse as the JSON they claim to be."""
    parser = _Survivors()
    parser.feed(html)
    parser.close()
    found = list(parser.found)
    for kind, text in parser.scripts:
        if kind in SAFE_SCRIPT_TYPES:
            if "\u2028" in text or "\u2029" in text:
                found.append("U+2028/2029 inside a script")
            try:
                json.loads(text)
            except ValueError:
                found.append(f"{kind} script is not JSON: {text[:60]!r}")
    return found


def feed_survivors(xml: bytes) -> list[str]:
    root = ElementTree.fromstring(xml)  # well-formed, or this raises
    atom = "{http://www.w3.org/2005/Atom}"
    found = []
    for element in root.iter():
        if element.tag in (f"{atom}summary", f"{atom}content", f"{atom}title"):
            if element.get("type", "text") != "text":
                found.append(f"{element.tag} type={element.get('type')}")
            if len(element):
                found.append(f"{element.tag} holds elements")
        href = element.get("href")
        if href is not None and not href.startswith(("http://", "https://")):
            found.append(f"link to {href[:40]!r}")
    return found


def csv_survivors(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    found = []
    for row in rows[1:]:
        for cell in row:
            if cell.startswith(FORMULA_START) and not _number(cell):
                found.append(f"formula cell {cell[:40]!r}")
    return found


def json_survivors(raw: str) -> list[str]:
    found = []
    if re.search(r"</script", raw, re.I):
        found.append("</script> in JSON")
    if "\u2028" in raw or "\u2029" in raw:
        found.append("U+2028/2029 in JSON")
    json.loads(raw)
    return found


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
