"""The API's one format: JSON that stays data wherever it is pasted."""

from __future__ import annotations

from rest_framework.renderers import JSONRenderer

from coopsite.safety import markup_safe_json_bytes


class MarkupSafeJSONRenderer(JSONRenderer):
    """DRF's JSON (which already escapes U+2028/2029), with ``<``, ``>`` and
    ``&`` as ``\\u`` escapes: a record's text can never close a script or
    open an element in a page that embeds the answer."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raw = super().render(data, accepted_media_type, renderer_context)
        return markup_safe_json_bytes(raw)
