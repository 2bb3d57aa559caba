"""Article bodies: CommonMark in, sanitised HTML out.

Pictures come from the library, by number: ``![alt](image:42 "caption")``
(see ``images/embeds.py``), resolved when the page is rendered. A picture
from anywhere else would be blocked by the site's content security policy,
so it is shown as its alt text; the admin warns about it on save.

markdown-it-py renders CommonMark (plus tables and strikethrough) with raw
HTML switched off, so "<script>" in a body is shown as text; nh3 (the Rust
ammonia sanitiser) then keeps only an allow-list of tags, attributes and URL
schemes, as a second line of defence. A body's own "# heading" becomes an
<h2>: the page's single <h1> is the article's title.

Links and images keep only http(s) addresses (and addresses on this site).
A table column's alignment becomes a class (``align-right``), not an inline
style: the site's Content-Security-Policy allows no inline styles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from images import embeds

_markdown = (
    MarkdownIt("commonmark", {"html": False})
    .enable(["table", "strikethrough"])
    # Notes as [^label] only: "2^[n]" stays text (inline notes are off).
    .use(footnote_plugin, inline=False)
)


def _notes_open(self, tokens, idx, options, env) -> str:
    # The notes under their own heading, not after a bare rule.
    return '<section class="footnotes">\n<h2>Notes</h2>\n<ol class="footnotes-list">\n'


def _back_to_text(self, tokens, idx, options, env) -> str:
    number = self.rules["footnote_anchor_name"](tokens, idx, options, env)
    if tokens[idx].meta.get("subId", 0) > 0:
        number += f":{tokens[idx].meta['subId']}"
    return (
        f' <a href="#fnref{number}" class="footnote-backref" '
        'aria-label="Back to the text">↩</a>'
    )


def _note_number(self, tokens, idx, options, env) -> str:
    # "[1]" at every reference to note 1 ("[1:1]" is markdown-it's own).
    return f"[{self.rules['footnote_anchor_name'](tokens, idx, options, env)}]"


_markdown.add_render_rule("footnote_block_open", _notes_open)
_markdown.add_render_rule("footnote_caption", _note_number)
_markdown.add_render_rule("footnote_anchor", _back_to_text)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "figcaption",
    "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p",
    "picture", "pre", "s", "section", "source", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    # Footnotes' anchors: ids the renderer numbers, never text a writer types
    # (raw HTML is off; ``_footnote_ids_only`` drops any other id).
    "a": {"href", "title", "id", "aria-label"},
    "li": {"id"},
    "img": {
        "src",
        "srcset",
        "sizes",
        "alt",
        "title",
        "width",
        "height",
        "loading",
        "decoding",
        "fetchpriority",
    },
    "source": {"type", "srcset", "sizes"},
    "ol": {"start"},
}
ALIGNMENTS = {"left", "center", "right"}
ALLOWED_CLASSES = {
    "th": {f"align-{a}" for a in ALIGNMENTS},
    "td": {f"align-{a}" for a in ALIGNMENTS},
    # Library pictures (images.embeds): the figure and its credit.
    "figure": {"figure"},
    "span": {"credit"},
    # Footnotes (mdit_py_plugins.footnote).
    "sup": {"footnote-ref"},
    "section": {"footnotes"},
    "ol": {"footnotes-list"},
    "li": {"footnote-item"},
    "a": {"footnote-backref"},
}
_FOOTNOTE_ID = re.compile(r"fn(?:ref)?\d{1,4}(?::\d{1,4})?")


def _footnote_ids_only(element: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if _FOOTNOTE_ID.fullmatch(value) else None
    if attribute == "aria-label":
        return value if value == "Back to the text" else None
    return value


URL_SCHEMES = {"http", "https"}


@dataclass
class BodyPictures:
    """What a body says about pictures: the library numbers it shows (in
    order, once each), numbers that are not in the library, and addresses
    of pictures on other sites."""

    ids: list[int] = field(default_factory=list)
    external: list[str] = field(default_factory=list)


_MARKUP = re.compile(r"\[\^[^\]\s]+\]|[*_`>#\[\]]|\(https?://[^)]*\)")


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def _paragraphs(text: str):
    """The text's paragraphs, one at a time: the article page reads only
    the first few of a long body (``repeats_opening``), not all of them."""
    start = 0
    for found in _PARAGRAPH_BREAK.finditer(text):
        yield text[start : found.start()]
        start = found.end()
    yield text[start:]


def opening_text(text: str) -> str:
    """The body's first paragraph of prose (not a heading) as plain words:
    what an essay's standfirst is taken from."""
    for paragraph in _paragraphs(text):
        if paragraph.lstrip().startswith("#"):
            continue
        if words := " ".join(_MARKUP.sub("", paragraph).split()):
            return words
    return ""


def repeats_opening(standfirst: str, text: str) -> bool:
    """Whether ``standfirst`` is the opening of ``text``'s first paragraph
    (an imported essay's, taken from it): the page then shows it once."""
    lede = " ".join(standfirst.split()).removesuffix("…").rstrip()
    return bool(lede) and opening_text(text).startswith(lede)


def body_links(text: str) -> list[str]:
    """The addresses the body links to, in order, once each."""
    found: list[str] = []
    for token in _markdown.parse(text or ""):
        for child in token.children or ():
            href = str(child.attrs.get("href", "")) if child.type == "link_open" else ""
            if href and not href.startswith("#") and href not in found:
                found.append(href)
    return found


def body_pictures(text: str) -> BodyPictures:
    return _pictures_in(_markdown.parse(text or ""))


def _pictures_in(tokens: list[Token]) -> BodyPictures:
    found = BodyPictures()
    for token in tokens:
        for child in token.children or ():
            if child.type != "image":
                continue
            src = str(child.attrs.get("src", ""))
            if (number := embeds.image_id(src)) is not None:
                if number not in found.ids:
                    found.ids.append(number)
            elif src not in found.external:
                found.external.append(src)
    return found


def render_markdown(text: str, images: dict | None = None) -> SafeString:
    """Render a Markdown body to safe HTML; ``images`` (library number →
    Image) saves the lookup of the pictures it shows. The body is parsed
    once: its pictures are read from the same tokens it renders from."""
    tokens = _markdown.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"
        elif token.type in ("th_open", "td_open"):
            _alignment_as_class(token)
    if images is None:
        images = embeds.images_by_id(_pictures_in(tokens).ids)
    tokens = _resolve_pictures(tokens, images)
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_footnote_ids_only,
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


def _alignment_as_class(token) -> None:
    style = token.attrs.pop("style", None) or ""
    alignment = style.removeprefix("text-align:").strip()
    if alignment in ALIGNMENTS:
        token.attrSet("class", f"align-{alignment}")


def markdown_segments(text: str) -> list[str]:
    """The prose of a Markdown document, one string per block (paragraph,
    heading, list item, table cell): no code, no raw HTML, no link targets,
    no bare addresses. What the mention detector reads."""
    segments = []
    for token in _markdown.parse(text or ""):
        if token.type != "inline":
            continue
        parts, autolinks = [], 0
        for child in token.children or ():
            if child.type == "link_open" and child.markup == "autolink":
                autolinks += 1
            elif child.type == "link_close" and child.markup == "autolink":
                autolinks -= 1
            elif child.type == "text" and not autolinks:
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak", "code_inline", "image"):
                parts.append(" ")
        segment = "".join(parts).strip()
        if segment:
            segments.append(segment)
    return segments


def _title(image_token: Token) -> str | None:
    title = image_token.attrs.get("title")
    return None if title is None else str(title)


def _alt(image_token: Token) -> str:
    return "".join(child.content for child in image_token.children or ()) or (
        image_token.content
    )


def _picture_alone(tokens: list[Token], i: int) -> Token | None:
    """The image token if tokens[i:i+3] is a paragraph holding one picture."""
    if not (
        tokens[i].type == "paragraph_open"
        and i + 2 < len(tokens)
        and tokens[i + 2].type == "paragraph_close"
    ):
        return None
    children = [
        child
        for child in tokens[i + 1].children or ()
        if not (child.type in ("softbreak", "text") and not child.content.strip())
    ]
    if len(children) == 1 and children[0].type == "image":
        return children[0]
    return None


def _resolve_pictures(tokens: list[Token], images: dict) -> list[Token]:
    """Library pictures become <figure>/<picture> markup; anything else
    that would have been an <img> becomes its alt text."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        alone = _picture_alone(tokens, i)
        if alone is not None:
            image = images.get(embeds.image_id(str(alone.attrs.get("src", ""))))
            if image is not None:
                block = Token("html_block", "", 0)
                block.content = str(
                    embeds.figure_html(
                        image,
                        alt=_alt(alone),
                        caption=_title(alone),
                        loading="eager" if not out else "lazy",
                    )
                )
                out.append(block)
                i += 3
                continue
        token = tokens[i]
        if token.children:
            token.children = [
                _inline_picture(child, images) for child in token.children
            ]
        out.append(token)
        i += 1
    return out


def _inline_picture(child: Token, images: dict) -> Token:
    if child.type != "image":
        return child
    image = images.get(embeds.image_id(str(child.attrs.get("src", ""))))
    if image is None:
        text = Token("text", "", 0)
        text.content = _alt(child)
        return text
    html = Token("html_inline", "", 0)
    html.content = str(embeds.picture_html(image, alt=_alt(child), title=_title(child)))
    return html
