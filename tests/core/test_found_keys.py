"""The keys a list's text finds, packed for the shared cache
(``core.free_text.pack_keys``): read back exactly, whatever they are."""

from hypothesis import given, settings
from hypothesis import strategies as st

from core.free_text import pack_keys, unpack_keys

keys = st.lists(st.integers(min_value=0, max_value=2**63 - 1))


@given(keys)
def test_packed_keys_read_back_sorted_and_without_repeats(found):
    assert unpack_keys(pack_keys(found)) == sorted(set(found))


# Up to 200,000 keys a case: a few milliseconds each, more on a busy machine.
@settings(deadline=None, max_examples=50)
@given(st.integers(min_value=1, max_value=10**9), st.integers(0, 200_000))
def test_a_run_of_consecutive_keys_packs_into_a_few_kilobytes(first, length):
    found = range(first, first + length)
    packed = pack_keys(found)
    # At most a hundredth of the keys as 8-byte integers, and a little.
    assert len(packed) <= length * 8 // 100 + 64
    assert unpack_keys(packed) == list(found)


def test_nearly_every_key_of_a_hundred_thousand_packs_into_a_few_kilobytes():
    # A common word: in all but every thirtieth of 100,000 articles.
    found = [key for key in range(1, 100_001) if key % 30]
    packed = pack_keys(found)
    assert len(packed) < 8 * 1024
    assert unpack_keys(packed) == found
