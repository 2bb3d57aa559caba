"""A record's fingerprint is the one earlier imports stored: a change in how
it is computed would make every record of the next import look changed, and
rewrite the corrections researchers made."""

import datetime as dt
import hashlib
import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from datasets.models import IssueReason
from datasets.pipeline import fingerprint
from partnerships.models import ParticipantRole


def stored_print(record: dict) -> str:
    """How imports have always taken it."""
    data = json.dumps(
        record, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(data.encode()).hexdigest()


leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=-1e-3, max_value=1e-3),  # coordinates near zero
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.dates(),
    st.text(),  # every character, control and non-ASCII ones too
    st.sampled_from([*ParticipantRole, *IssueReason]),
)
records = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children, children),
        st.dictionaries(st.text(max_size=8), children, max_size=6),
    ),
    max_leaves=15,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=12), records, max_size=8))
def test_a_fingerprint_is_the_one_earlier_imports_stored(record):
    assert fingerprint(record) == stored_print(record)


def test_a_deal_like_row_keeps_its_print():
    row = {
        "supplier": "Türkiye",
        "designation": "Type-054A",
        "tiv_per_unit": Decimal("1.50"),
        "delivery_years": [2019, 2020],
        "latitude": 0.00005,
        "comments": "second-hand; 1e-5 of a “note”\x0b",
        "ordered_on": dt.date(2019, 1, 1),
        "flags": [("start_date", "not_a_year")],
    }
    resolved = [("country", "tur", ParticipantRole.SUPPLIER)]

    assert fingerprint({"row": row, "resolved": resolved}) == stored_print(
        {"row": row, "resolved": resolved}
    )
