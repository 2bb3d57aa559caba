"""Building admin form posts the way a browser would send them."""

ARTICLE_LINK_INLINES = ("entity_links", "entity_links-2", "entity_links-3")


def inline_management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def article_form(**fields) -> dict[str, str]:
    """An article admin post with its link inlines left as they are."""
    data = {"status": "draft", "body": "Text.", **fields}
    for prefix in ARTICLE_LINK_INLINES:
        data.update(inline_management(prefix, 0))
    return data
