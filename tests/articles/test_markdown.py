"""Article bodies are CommonMark, and what comes out is safe to serve."""

import re
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


def test_footnotes_are_numbered_linked_both_ways_and_listed_under_notes():
    html = str(
        render_markdown(
            "A claim.[^src] The same source again.[^src]\n\n"
            "[^src]: SIPRI, *Trends in International Arms Transfers*."
        )
    )
    assert html.count('<a href="#fn1" id="fnref1') == 2
    assert html.count(">[1]</a>") == 2
    assert '<section class="footnotes">\n<h2>Notes</h2>' in html
    assert '<li id="fn1" class="footnote-item">' in html
    assert html.count('class="footnote-backref" aria-label="Back to the text"') == 2
    assert "<em>Trends in International Arms Transfers</em>" in html


@pytest.mark.parametrize(
    "label",
    ['x" onmouseover="alert(1)', "x><script>alert(1)</script>", "javascript:alert(1)"],
)
def test_a_footnotes_label_never_becomes_markup(label):
    html = str(render_markdown(f"Text.[^{label}]\n\n[^{label}]: Note."))
    for tag, attrs in _Elements(html).found:
        assert tag != "script"
        assert not any(name.startswith("on") for name in attrs)
        assert re.fullmatch(r"fn(ref)?\d+(:\d+)?", attrs.get("id", "fn1"))
        assert not attrs.get("href", "").startswith("javascript")


def test_a_caret_before_brackets_is_text_not_a_note():
    assert str(render_markdown("2^[n] is big")) == "<p>2^[n] is big</p>\n"


def test_an_essays_opening_words_leave_out_its_note_marks():
    from articles.markdown import opening_text

    assert opening_text("As teacher.[^steps] PNS *Babur* sailed.") == (
        "As teacher. PNS Babur sailed."
    )
