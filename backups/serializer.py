"""Django's JSON serialiser, but exact: datetimes to the microsecond, keys
sorted; without the fields derived from the others (``DERIVED_FIELDS``).

Django's JSON encoder cuts datetimes to milliseconds, so a restored site
would differ from the one exported; an export must lose nothing. Registered
as the "sitejson" format (settings.SERIALIZATION_MODULES).
"""

import datetime as dt

from django.core.serializers.json import (
    Deserializer,  # noqa: F401 (the format's reader)
    DjangoJSONEncoder,
)
from django.core.serializers.json import Serializer as JSONSerializer


class ExactEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, dt.datetime):
            text = o.isoformat()
            return (
                text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
            )
        if isinstance(o, dt.time):
            return o.isoformat()
        return super().default(o)


# Fields made from the others and kept in step on write: an export leaves
# them out, and a restored row makes them again when first read (an
# article's body and page parts as readers see them, articles/rendering.py).
DERIVED_FIELDS = {
    "articles.article": frozenset(
        {
            "body_rendered",
            "body_words",
            "page_parts",
            "body_rendered_by",
            "body_render_token",
        }
    ),
}


class Serializer(JSONSerializer):
    def handle_field(self, obj, field):
        if field.name not in DERIVED_FIELDS.get(obj._meta.label_lower, ()):
            super().handle_field(obj, field)

    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactEncoder
        # PostgreSQL's jsonb keeps an object's keys in its own order: sorted,
        # an export reads the same from any database.
        self.json_kwargs["sort_keys"] = True
