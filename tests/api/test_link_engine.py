"""The link engine (shared/features/links.py) on each store, in the cases the API cannot stage: accounts made before
"Logins", entries a cut-short link left behind, and a claim taken over between claiming and confirming."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shared.auth import logins
from shared.auth.accounts import find_account
from shared.auth.logins import LoginKind
from shared.features import links
from shared.storage.layout import ACCOUNT_DOC, LOGIN_DOC, LOOKUPS, PLAYERS
from shared.wire.errors import PlayFabError
from tests.storage.conftest import Runner
from tests.support.store_adapters import ADAPTERS

ANDROID = LoginKind.ANDROID_DEVICE_ID


@pytest.fixture(params=sorted(ADAPTERS))
def run(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runner]:
    runner = Runner(ADAPTERS[request.param], tmp_path, request)
    yield runner
    runner.close()


def _account(run: Runner, playfab_id: str, **fields: Any) -> None:
    body = {"PlayFabId": playfab_id, "TitlePlayerAccountId": f"E{playfab_id}", "Created": 0.0, **fields}
    run(run.store.create(PLAYERS, playfab_id, ACCOUNT_DOC, body))


def _confirmed(run: Runner, kind: LoginKind, value: str, playfab_id: str) -> None:
    run(logins.confirm(run.store, run(logins.claim(run.store, kind, value, playfab_id))))


def test_an_account_made_before_logins_unlinks_its_one_identity(run):
    _account(run, "P1", Identity="android:dev-1")
    _confirmed(run, ANDROID, "dev-1", "P1")
    run(links.unlink(run.store, links.ANDROID_DEVICE_ID, "P1", None))
    account = run(find_account(run.store, "P1"))
    assert "Identity" not in account and logins.linked(account) == {}
    assert run(logins.holder(run.store, ANDROID, "dev-1")) is None


def test_an_entry_the_player_no_longer_holds_does_not_block_a_new_link(run):
    _account(run, "P1", Logins={"android": "dev-old"})
    _confirmed(run, ANDROID, "dev-old", "P2")  # taken by P2, its clean-up of P1 cut short
    run(links.link(run.store, links.ANDROID_DEVICE_ID, "P1", "dev-new", False))
    assert logins.linked(run(find_account(run.store, "P1"))) == {ANDROID: "dev-new"}
    assert run(logins.holder(run.store, ANDROID, "dev-new")) == "P1"
    assert run(logins.holder(run.store, ANDROID, "dev-old")) == "P2"


def test_a_different_identity_the_player_holds_is_account_already_linked(run):
    _account(run, "P1", Logins={"android": "dev-1"})
    _confirmed(run, ANDROID, "dev-1", "P1")
    with pytest.raises(PlayFabError) as err:
        run(links.link(run.store, links.ANDROID_DEVICE_ID, "P1", "dev-2", True))
    assert err.value.name == "AccountAlreadyLinked"
    assert run(run.store.read(LOOKUPS, logins.lookup_key(ANDROID, "dev-2"), LOGIN_DOC)) is None


def test_a_claim_taken_over_before_it_is_confirmed_undoes_the_account_and_fails(run):
    """A rival claims the id between this link's account write and its confirm: this link must not stand."""
    _account(run, "P1")
    store = run.store
    update = store.update

    async def update_then_rival(container: str, pk: str, doc_id: str, mutation: Any) -> Any:
        result = await update(container, pk, doc_id, mutation)
        if (container, pk) == (PLAYERS, "P1") and logins.linked(result.body).get(ANDROID) == "dev-1":
            await logins.claim(store, ANDROID, "dev-1", "RIVAL")  # takes the pending claim over
        return result

    store.update = update_then_rival  # type: ignore[method-assign]
    try:
        with pytest.raises(PlayFabError) as err:
            run(links.link(store, links.ANDROID_DEVICE_ID, "P1", "dev-1", False))
    finally:
        store.update = update  # type: ignore[method-assign]
    assert err.value.name == "LinkedDeviceAlreadyClaimed"
    assert logins.linked(run(find_account(store, "P1"))) == {}
    assert run(logins.holder(store, ANDROID, "dev-1")) is None  # the rival's claim is still pending


def test_force_link_takes_the_identity_off_the_holders_account(run):
    _account(run, "P1", Logins={"android": "dev-1"})
    _confirmed(run, ANDROID, "dev-1", "P1")
    _account(run, "P2", Logins={"custom": "c-2"})
    run(links.link(run.store, links.ANDROID_DEVICE_ID, "P2", "dev-1", True))
    assert logins.linked(run(find_account(run.store, "P1"))) == {}
    assert logins.linked(run(find_account(run.store, "P2"))) == {LoginKind.CUSTOM_ID: "c-2", ANDROID: "dev-1"}
    assert run(logins.holder(run.store, ANDROID, "dev-1")) == "P2"
