"""Property tests of the key/value rules (shared/features/custom_data.py): whatever the keys and values, an update
is refused with a PlayFab error before anything is written, or it lands exactly as the rules say."""

from __future__ import annotations

import copy
import json
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.features.custom_data import MAX_KEY_CHARS, Changes, Limits, apply, normal_key, plan, utf16_units
from shared.wire.error_codes import ERROR_CODES
from shared.wire.errors import PlayFabError

LIMITS = Limits(max_keys=10, max_value_bytes=64, max_document_bytes=4096)
STAMP = "2026-01-01T00:00:00.000Z"
PROPERTIES = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

keys = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "!x", " !x", "a", " a", "a ", "a\t", "k" * (MAX_KEY_CHARS + 1)]),
    # Hidden characters, decomposed spellings and characters outside the BMP (two UTF-16 units each).
    st.sampled_from(["a\u200b", "\u200b", "\ufeff", "\u200b!x", "a\tb", "e\u0301", "\u00e9", "\U0001f600" * 513]),
)
values = st.one_of(st.none(), st.text(max_size=80))
data = st.one_of(st.none(), st.dictionaries(keys, values, max_size=14))
removals = st.one_of(st.none(), st.lists(keys, max_size=6))
permissions = st.sampled_from([None, "Public", "Private"])
records = st.dictionaries(
    st.one_of(
        st.text(min_size=1, max_size=6).filter(lambda k: k.strip() == k and not k.startswith("!")),
        st.sampled_from(["a", "e\u0301", "\u00e9"]),  # a decomposed key stored before keys were normalised
    ),
    st.fixed_dictionaries(
        {
            "Value": st.text(max_size=10),
            "Permission": st.sampled_from(["Public", "Private"]),
            "LastUpdated": st.just("t"),
        }
    ),
    max_size=8,
)
stored = st.one_of(st.none(), st.builds(lambda r, v: {"DataVersion": v, "Data": r}, records, st.integers(0, 1000)))

REFUSALS = {"InvalidParams", "KeyLengthExceeded", "DataLengthExceeded", "DeleteKeyConflict", "TooManyKeys"}


def _trimmed(raw: dict[str, str | None] | None, remove: list[str] | None) -> tuple[dict[str, str], set[str]]:
    writes = {normal_key(k): v for k, v in (raw or {}).items() if v is not None}
    gone = {normal_key(k) for k, v in (raw or {}).items() if v is None} | {normal_key(k) for k in remove or ()}
    return writes, gone


def _hidden(key: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in key)


@PROPERTIES
@given(data, removals, permissions)
def test_plan_accepts_exactly_the_updates_the_rules_allow(raw, remove, permission):
    try:
        changes = plan(raw, remove, permission, LIMITS)
    except PlayFabError as err:
        assert err.name in REFUSALS and err.error_code == ERROR_CODES[err.name]
        return
    writes, gone = _trimmed(raw, remove)
    every_key = [normal_key(k) for k in (raw or {})] + [normal_key(k) for k in remove or ()]
    assert all(k and not k.startswith("!") and utf16_units(k) <= MAX_KEY_CHARS for k in every_key)
    assert not any(_hidden(k) for k in writes)  # hidden characters only ever name keys to remove
    assert all(unicodedata.is_normalized("NFC", k) for k in every_key)
    assert dict(changes.writes) == writes and set(changes.removals) == gone
    assert not set(changes.writes) & changes.removals
    assert len(changes.writes) + len(changes.removals) <= LIMITS.max_keys
    assert all(len(v.encode("utf-8")) <= LIMITS.max_value_bytes for v in changes.writes.values())
    assert changes.permission == (permission or "Private")


@PROPERTIES
@given(keys, values)
def test_a_key_with_a_leading_bang_or_blank_is_never_accepted(key, value):
    stripped = normal_key(key)
    try:
        changes = plan({key: value}, None, None, LIMITS)
    except PlayFabError:
        return
    assert stripped and not stripped.startswith("!")
    assert stripped in changes.writes or stripped in changes.removals


@PROPERTIES
@given(stored, data, removals, permissions)
def test_apply_is_additive_and_counts_one_version(before, raw, remove, permission):
    try:
        changes = plan(raw, remove, permission, LIMITS)
    except PlayFabError:
        return
    original = copy.deepcopy(before)
    try:
        after = apply(changes, LIMITS, STAMP)(copy.deepcopy(before))
    except PlayFabError as err:  # the only refusal left: the whole data type would be too big
        assert err.name == "TotalDataSizeExceeded"
        return
    assert before == original  # the mutation works on its own copy
    old = (before or {"Data": {}})["Data"]
    assert after["DataVersion"] == (before or {"DataVersion": 0})["DataVersion"] + 1
    # A key stored under an older, unnormalised spelling of a named key goes too (shared/features/custom_data.py).
    assert changes.old_spellings == {k.strip() for k in [*(raw or {}), *(remove or ())]} - {
        normal_key(k) for k in [*(raw or {}), *(remove or ())]
    }
    assert set(after["Data"]) == (set(old) - changes.removals - changes.old_spellings) | set(changes.writes)
    for key, record in after["Data"].items():
        if key in changes.writes:
            assert record == {"Value": changes.writes[key], "Permission": changes.permission, "LastUpdated": STAMP}
        else:
            assert record == old[key]  # keys not named are untouched
    size = len(json.dumps(after, separators=(",", ":"), ensure_ascii=False).encode())
    old_data = len(json.dumps(old, separators=(",", ":"), ensure_ascii=False).encode())
    new_data = len(json.dumps(after["Data"], separators=(",", ":"), ensure_ascii=False).encode())
    assert size <= LIMITS.max_document_bytes or new_data <= old_data  # over the limit only if it did not grow


@PROPERTIES
@given(stored)
def test_an_empty_update_still_counts_a_version_and_changes_no_key(before):
    after = apply(Changes({}, frozenset(), "Private"), LIMITS, STAMP)(copy.deepcopy(before))
    assert after["Data"] == (before or {"Data": {}})["Data"]


def _size(value: object) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


over_limit = st.dictionaries(
    st.sampled_from([f"k{i}" for i in range(12)]),
    st.fixed_dictionaries(
        {"Value": st.text(alphabet="xyz", min_size=500, max_size=700), "Permission": st.just("Private")}
    ),
    min_size=8,
    max_size=12,
)
own_keys = st.lists(st.sampled_from([f"k{i}" for i in range(12)] + ["new"]), max_size=5, unique=True)


@PROPERTIES
@given(over_limit, own_keys, own_keys, st.text(alphabet="ab", max_size=40))
def test_over_the_limit_only_an_update_that_grows_the_data_is_refused(records, written, removed, value):
    """Data stored under a higher limit: shrinking or removing lands, growing is refused, nothing half-done."""
    before = {"DataVersion": 3, "Data": records}
    assert _size(before) > LIMITS.max_document_bytes
    try:
        changes = plan(dict.fromkeys(written, value), [k for k in removed if k not in written], None, LIMITS)
    except PlayFabError:
        return
    expected = {k: r for k, r in records.items() if k not in changes.removals}
    expected |= {k: {"Value": v, "Permission": "Private", "LastUpdated": STAMP} for k, v in changes.writes.items()}
    try:
        after = apply(changes, LIMITS, STAMP)(copy.deepcopy(before))
    except PlayFabError as err:
        assert err.name == "TotalDataSizeExceeded"
        assert _size(expected) > _size(records)  # refused only because it grew
        return
    assert after["Data"] == expected and after["DataVersion"] == 4
    assert _size(expected) <= _size(records)
