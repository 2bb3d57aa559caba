"""Mends to the generated OpenAPI schema (drf-spectacular's postprocessing)."""

from __future__ import annotations


def either_text_form(result, generator, request, public):
    """A blank-able address is "an address, or empty": drf-spectacular says
    so with ``oneOf`` of two texts, which an empty text matches both of
    (``format`` is a note, not a check, to most validators), so that a
    valid answer fails ``oneOf``'s "exactly one". ``anyOf`` says what is
    meant."""

    def mend(node):
        if isinstance(node, dict):
            options = node.get("oneOf")
            if (
                isinstance(options, list)
                and options
                and all(
                    isinstance(option, dict) and option.get("type") == "string"
                    for option in options
                )
            ):
                node["anyOf"] = node.pop("oneOf")
            for value in node.values():
                mend(value)
        elif isinstance(node, list):
            for value in node:
                mend(value)

    mend(result)
    return result
