"""Django's JSON serialiser, but exact: datetimes to the microsecond, keys sorted.

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


class Serializer(JSONSerializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactEncoder
        # PostgreSQL's jsonb keeps an object's keys in its own order: sorted,
        # an export reads the same from any database.
        self.json_kwargs["sort_keys"] = True
