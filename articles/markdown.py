"""Article bodies: CommonMark in, sanitised HTML out.

markdown-it-py renders CommonMark (plus tables and strikethrough) with raw
HTML switched off, so "<script>" in a body is shown as text; nh3 (the Rust
ammonia sanitiser) then keeps only an allow-list of tags, attributes and URL
schemes, as a second line of defence. A body's own "# heading" becomes an
<h2>: the page's single <h1> is the article's title.

Links and images keep only http(s) addresses (and addresses on this site).
A table column's alignment becomes a class (``align-right``), not an inline
style: the site's Content-Security-Policy allows no inline styles.
"""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub",
    "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}
ALIGNMENTS = {"left", "center", "right"}
ALLOWED_CLASSES = {
    "th": {f"align-{a}" for a in ALIGNMENTS},
    "td": {f"align-{a}" for a in ALIGNMENTS},
}
URL_SCHEMES = {"http", "https"}


def render_markdown(text: str) -> SafeString:
    """Render a Markdown body to safe HTML."""
    tokens = _markdown.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"
        elif token.type in ("th_open", "td_open"):
            _alignment_as_class(token)
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
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
