"""A property of every article body: whatever Markdown an author types,
the HTML it renders to holds no script, no event handler, no inline style
and no address that is not http(s) (or on this site). Hypothesis writes
at least 1,000 documents a run from Markdown syntax, the payload corpus and
random text."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.markdown import render_markdown
from tests.security.payloads import PAYLOADS

pytestmark = pytest.mark.long(4)

DOCUMENTS = 1_000

SCHEMES = ["javascript", "JaVaScRiPt", "vbscript", "data", "file", "http", "https", ""]
URL = st.builds(
    lambda scheme, sep, rest: f"{scheme}{sep}{rest}",
    st.sampled_from(SCHEMES),
    st.sampled_from([":", "&#58;", "&colon;", "\t:", ": ", "://"]),
    st.text(max_size=20),
)
INLINE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(PAYLOADS),
    st.builds(lambda t, u: f"[{t}]({u})", st.text(max_size=10), URL),
    st.builds(lambda t, u: f"![{t}]({u})", st.text(max_size=10), URL),
    st.builds(lambda u: f"<{u}>", URL),
    st.builds(lambda t, u: f'[{t}]({u} "{t}")', st.text(max_size=10), URL),
    st.builds(
        lambda tag, attr, u: f"<{tag} {attr}={u!r}>x</{tag}>",
        st.sampled_from(["a", "img", "svg", "iframe", "script", "div", "td"]),
        st.sampled_from(["href", "src", "onerror", "onclick", "style", "srcdoc"]),
        URL,
    ),
    st.sampled_from(["*", "_", "`", "**", "~~", "\\", "&", "&amp;", "&#", "<", ">"]),
)
BLOCK = st.one_of(
    st.lists(INLINE, max_size=6).map("".join),
    st.lists(INLINE, max_size=4).map(lambda parts: "# " + "".join(parts)),
    st.lists(INLINE, max_size=4).map(lambda parts: "> " + "".join(parts)),
    st.lists(INLINE, max_size=3).map(lambda parts: "- " + " ".join(parts)),
    st.lists(INLINE, max_size=3).map(lambda p: "```\n" + "".join(p) + "\n```"),
    st.builds(
        lambda a, b, align: f"| {a} | {b} |\n|{align}|{align}|\n| {b} | {a} |",
        INLINE,
        INLINE,
        st.sampled_from(["---", ":--", ":-:", "--:"]),
    ),
    st.builds(
        lambda label, u: f"[{label}]: {u}\n\n[{label}]",
        st.text("ab", min_size=1, max_size=3),
        URL,
    ),
)
DOCUMENT = st.lists(BLOCK, max_size=8).map("\n\n".join)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in {
            "script",
            "iframe",
            "object",
            "embed",
            "svg",
            "style",
            "math",
            "form",
        }:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc"}:
                self.problems.append(f"{tag}[{name}]")
            if name in {"href", "src"}:
                scheme = urlsplit((value or "").strip()).scheme.lower()
                if scheme not in {"", "http", "https"}:
                    self.problems.append(f"{tag}[{name}={value!r}]")


def test_rendered_markdown_never_holds_script_handlers_or_other_schemes():
    checked = []

    @settings(
        max_examples=DOCUMENTS,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(DOCUMENT)
    def holds_nothing_dangerous(document):
        parser = _Elements()
        parser.feed(render_markdown(document))
        parser.close()
        checked.append(document)
        assert parser.problems == [], document

    holds_nothing_dangerous()
    assert len(checked) >= DOCUMENTS
