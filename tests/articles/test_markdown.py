"""Article bodies are CommonMark, and what comes out is safe to serve."""

from html.parser import HTMLParser

import pytest

from articles.markdown import render_markdown


def test_commonmark_renders_headings_emphasis_lists_and_tables():
    html = render_markdown(
        "## Partners\n\n*Note*: three.\n\n1. Türkiye\n2. Pakistan\n\n"
        "| Year | Units |\n| --- | ---: |\n| 2021 | 24 |\n"
    )
    assert "<h2>Partners</h2>" in html
    assert "<em>Note</em>" in html
    assert "<ol>\n<li>Türkiye</li>" in html
    assert "<table>" in html
    # Alignment as a class: the site's CSP allows no inline styles.
    assert '<td class="align-right">24</td>' in html
    assert "style=" not in html


def test_a_level_one_heading_in_the_body_becomes_level_two():
    html = render_markdown("# Inside\n\ntext")
    assert "<h1>" not in html
    assert "<h2>Inside</h2>" in html


class _Elements(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        '<a href="https://x.org" onclick="steal()">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        "![x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
        '<div style="background:url(javascript:x)">x</div>',
    ],
)
def test_dangerous_markup_never_becomes_an_element_or_attribute(markdown):
    for tag, attrs in _Elements(render_markdown(markdown)).found:
        assert tag not in {"script", "iframe", "div", "object", "embed", "style"}
        assert not any(name.startswith("on") for name in attrs)
        for url in (attrs.get("href", ""), attrs.get("src", "")):
            assert url.split(":")[0].lower() in {"http", "https", ""} or (
                ":" not in url
            )


def test_raw_html_is_shown_as_text_not_interpreted():
    assert "&lt;b&gt;bold&lt;/b&gt;" in render_markdown("<b>bold</b>")


def test_links_leave_with_safe_rel_attributes():
    html = render_markdown("[SIPRI](https://www.sipri.org/)")
    assert 'rel="noopener noreferrer"' in html
