"""Building admin form posts the way a browser would send them."""

from html.parser import HTMLParser

ARTICLE_LINK_INLINES = ("entity_links", "entity_links-2", "entity_links-3")


def inline_management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def article_form(article=None, **fields) -> dict[str, str]:
    """An article admin post with its link inlines left as they are; for a
    change, pass the ``article``: the form says which version it was opened
    on, as the page would."""
    data = {"status": "draft", "body": "Text.", **fields}
    if article is not None:
        data.setdefault(
            "base_version", type(article).objects.get(pk=article.pk).edit_version
        )
    for prefix in ARTICLE_LINK_INLINES:
        data.update(inline_management(prefix, 0))
    return data


class _FormScraper(HTMLParser):
    """The fields of the page's first ``<form method="post">`` (after the
    admin header's logout button), as a browser would submit them unchanged."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data: dict[str, list[str]] = {}
        self._in_form = self._done = False
        self._select: str | None = None
        self._select_multiple = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if (
            tag == "form"
            and not self._done
            and (a.get("method") or "").lower() == "post"
            and a.get("id") != "logout-form"
        ):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._add(name, a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self._select, self._select_multiple = name, "multiple" in a
            self._first_option = None
            self._chosen = False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._add(self._select, value)
                self._chosen = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if not self._in_form:
            return
        if tag == "select" and self._select:
            if not self._chosen and not self._select_multiple and self._first_option:
                self._add(self._select, self._first_option)
            self._select = None
        elif tag == "textarea" and self._textarea:
            self._add(self._textarea, "".join(self._text).removeprefix("\n"))
            self._textarea = None
        elif tag == "form":
            self._in_form, self._done = False, True


def scraped_form(html: str) -> dict[str, list[str]]:
    """What submitting the page's POST form unchanged would send."""
    scraper = _FormScraper()
    scraper.feed(html)
    return scraper.data
