"""Limits on title-wide data: keys per kind, value size, total size; a breach writes nothing, shrinking always lands."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.config.settings import SettingsError, load_settings
from tests.conftest import BACKENDS
from tests.support import sdk
from tests.support.cosmos import CosmosAccount, new_database_name
from tests.support.data_calls import call, error_of
from tests.support.server import SECRET_KEY, SIGNING_KEY, TITLE_ID, Server, running_server

LIMITS = {"TITLE_DATA_MAX_KEYS": "3", "TITLE_DATA_MAX_VALUE_BYTES": "2000", "TITLE_DATA_MAX_BYTES": "1024"}


@pytest.fixture(scope="module", params=BACKENDS)
def tuned(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A host with small title data limits, on each store."""
    data_dir = tmp_path_factory.mktemp(f"title-limits-{request.param}")
    if request.param == "sqlite":
        with running_server(data_dir, **LIMITS) as srv:
            yield srv
        return
    account: CosmosAccount = request.getfixturevalue("cosmos")
    database = new_database_name("titlelimits")
    with running_server(data_dir, **LIMITS, **account.env(database)) as srv:
        yield srv
    asyncio.run(account.drop_database(database))


def _all(route: str) -> dict[str, str]:
    data: dict[str, str] = call(route, {"Keys": ["a", "b", "c", "d", "big", "more"]})["Data"]
    return data


def test_a_kind_holds_at_most_the_configured_keys(tuned):
    sdk.point_at(tuned)
    for key in ("a", "b", "c"):
        call("Server/SetTitleData", {"Key": key, "Value": "1"})
    err = error_of("Admin/SetTitleData", {"Key": "d", "Value": "1"})
    assert err == sdk.bad_request("TooManyKeys", 1147, "This data already holds 3 keys; the limit is 3.")
    assert _all("Server/GetTitleData") == {"a": "1", "b": "1", "c": "1"}
    call("Server/SetTitleData", {"Key": "a", "Value": "2"})  # replacing a key adds none
    call("Server/SetTitleData", {"Key": "b"})  # nor does removing one
    call("Server/SetTitleData", {"Key": "d", "Value": "1"})  # which makes room
    assert _all("Admin/GetTitleData") == {"a": "2", "c": "1", "d": "1"}
    # Each kind counts its own keys.
    for key in ("a", "b", "c"):
        call("Server/SetTitleInternalData", {"Key": key, "Value": "1"})
        call("Admin/SetPublisherData", {"Key": key, "Value": "1"})
    assert error_of("Server/SetPublisherData", {"Key": "d", "Value": "1"})["error"] == "TooManyKeys"
    assert error_of("Admin/SetTitleInternalData", {"Key": "d", "Value": "1"})["error"] == "TooManyKeys"
    for key in ("a", "b", "c", "d"):
        for setter in ("Server/SetTitleData", "Server/SetTitleInternalData", "Server/SetPublisherData"):
            call(setter, {"Key": key})


def test_a_kind_grown_past_the_total_size_is_refused_and_writes_nothing(tuned):
    sdk.point_at(tuned)
    call("Server/SetTitleData", {"Key": "big", "Value": "x" * 900})
    err = error_of("Server/SetTitleData", {"Key": "more", "Value": "y" * 200})
    assert err["error"] == "TotalDataSizeExceeded" and err["errorCode"] == 1186 and err["code"] == 400
    assert err["errorMessage"].endswith("the limit is 1024.")
    assert _all("Server/GetTitleData") == {"big": "x" * 900}
    # A value over the per-value limit is refused before the total is looked at.
    assert error_of("Server/SetTitleData", {"Key": "more", "Value": "y" * 2001})["error"] == "DataLengthExceeded"
    call("Server/SetTitleData", {"Key": "big"})


@pytest.mark.parametrize("backend", BACKENDS)
def test_writes_that_do_not_grow_the_data_land_past_a_lowered_limit(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
):
    store_env: dict[str, str] = {}
    account: CosmosAccount | None = None
    database = new_database_name("titlelowered")
    if backend == "cosmos":
        account = request.getfixturevalue("cosmos")
        store_env = account.env(database)
    try:
        with running_server(tmp_path, TITLE_DATA_MAX_BYTES="4096", **store_env) as roomy:
            sdk.point_at(roomy)
            call("Server/SetTitleData", {"Key": "a", "Value": "x" * 1500})
            call("Server/SetTitleData", {"Key": "b", "Value": "x" * 1500})
        with running_server(tmp_path, TITLE_DATA_MAX_BYTES="1024", **store_env) as lowered:
            sdk.point_at(lowered)
            grow = error_of("Server/SetTitleData", {"Key": "a", "Value": "x" * 1501})
            assert grow["error"] == "TotalDataSizeExceeded"
            call("Server/SetTitleData", {"Key": "a", "Value": "short"})  # shrinks: lands though still over
            call("Server/SetTitleData", {"Key": "b", "Value": "x" * 1500})  # the same size: lands
            call("Admin/SetTitleData", {"Key": "b"})  # removing always lands
            assert call("Server/GetTitleData", {"Keys": ["a", "b"]})["Data"] == {"a": "short"}
    finally:
        if account is not None:
            asyncio.run(account.drop_database(database))


@pytest.mark.parametrize(
    ("name", "bad", "field"),
    [
        ("TITLE_DATA_MAX_KEYS", "0", "title_data_max_keys"),
        ("TITLE_DATA_MAX_VALUE_BYTES", "ten", "title_data_max_value_bytes"),
        ("TITLE_DATA_MAX_BYTES", "1023", "title_data_max_bytes"),
        ("TITLE_DATA_CACHE_SECONDS", "-1", "title_data_cache_seconds"),
    ],
)
def test_bad_title_data_settings_stop_start_up(name, bad, field):
    env = {"PLAYFAB_TITLE_ID": TITLE_ID, "PLAYFAB_SECRET_KEYS": SECRET_KEY, "TOKEN_SIGNING_KEY": SIGNING_KEY}
    with pytest.raises(SettingsError, match=name):
        load_settings({**env, name: bad})
    assert getattr(load_settings({**env, name: "12345"}), field) == 12345
    assert load_settings(env).title_data_cache_seconds == 10
