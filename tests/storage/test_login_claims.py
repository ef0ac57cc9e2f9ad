"""Login identity claims (shared/auth/logins.py) on every adapter: one holder, and no crash leftover blocks."""

from __future__ import annotations

import asyncio

import pytest

from shared.auth import logins
from shared.auth.logins import ClaimLost, LoginKind, Taken

EMAIL = LoginKind.EMAIL


def test_a_confirmed_claim_names_its_holder_and_a_pending_one_names_nobody(run):
    store = run.store
    held = run(logins.claim(store, EMAIL, "Ann@Example.com", "P1"))
    assert run(logins.holder(store, EMAIL, "ann@example.com")) is None  # pending
    run(logins.confirm(store, held))
    assert run(logins.holder(store, EMAIL, "ANN@example.COM")) == "P1"  # emails compare without case
    with pytest.raises(Taken) as taken:
        run(logins.claim(store, EMAIL, "ann@example.com", "P2"))
    assert taken.value.playfab_id == "P1"
    again = run(logins.claim(store, EMAIL, "ann@example.com", "P1"))
    run(logins.confirm(store, again))  # already the holder's: nothing to confirm
    assert run(logins.holder(store, EMAIL, "ann@example.com")) == "P1"


def test_custom_ids_keep_their_case(run):
    store = run.store
    run(logins.confirm(store, run(logins.claim(store, LoginKind.CUSTOM_ID, "Abc", "P1"))))
    assert run(logins.holder(store, LoginKind.CUSTOM_ID, "abc")) is None
    assert run(logins.holder(store, LoginKind.CUSTOM_ID, "Abc")) == "P1"


def test_a_pending_claim_left_by_a_crash_blocks_nobody(run):
    store = run.store
    run(logins.claim(store, LoginKind.USERNAME, "ann", "P1"))  # never confirmed, never abandoned
    later = run(logins.claim(store, LoginKind.USERNAME, "ann", "P2"))
    run(logins.confirm(store, later))
    assert run(logins.holder(store, LoginKind.USERNAME, "ann")) == "P2"


def test_a_claim_taken_over_before_it_is_confirmed_cannot_confirm(run):
    store = run.store
    first = run(logins.claim(store, LoginKind.USERNAME, "ann", "P1"))
    second = run(logins.claim(store, LoginKind.USERNAME, "ann", "P2"))
    with pytest.raises(ClaimLost):
        run(logins.confirm(store, first))
    run(logins.confirm(store, second))
    assert run(logins.holder(store, LoginKind.USERNAME, "ann")) == "P2"


def test_force_takes_over_a_confirmed_claim_and_release_spares_another_holder(run):
    store = run.store
    run(logins.confirm(store, run(logins.claim(store, LoginKind.ANDROID_DEVICE_ID, "d1", "P1"))))
    run(logins.confirm(store, run(logins.claim(store, LoginKind.ANDROID_DEVICE_ID, "d1", "P2", force=True))))
    run(logins.release(store, LoginKind.ANDROID_DEVICE_ID, "d1", "P1"))  # not P1's any more
    assert run(logins.holder(store, LoginKind.ANDROID_DEVICE_ID, "d1")) == "P2"
    run(logins.release(store, LoginKind.ANDROID_DEVICE_ID, "d1", "P2"))
    assert run(logins.holder(store, LoginKind.ANDROID_DEVICE_ID, "d1")) is None


def test_an_abandoned_claim_leaves_no_lookup_but_spares_a_rival(run):
    store = run.store
    mine = run(logins.claim(store, EMAIL, "a@b.c", "P1"))
    run(logins.abandon(store, mine))
    assert run(store.read("lookups", "email:a@b.c", "login")) is None
    mine = run(logins.claim(store, EMAIL, "a@b.c", "P1"))
    rival = run(logins.claim(store, EMAIL, "a@b.c", "P2"))
    run(logins.abandon(store, mine))  # the lookup is the rival's now
    run(logins.confirm(store, rival))
    assert run(logins.holder(store, EMAIL, "a@b.c")) == "P2"


def test_racing_claims_end_with_exactly_one_holder(run):
    """Sixteen claimants each claim, then confirm: exactly one confirms, and it is the holder."""
    store = run.store

    async def race() -> list[str]:
        claimed = asyncio.Barrier(16)

        async def claimant(n: int) -> str | None:
            try:
                held = await logins.claim(store, EMAIL, "race@example.com", f"P{n}")
            except (Taken, ClaimLost):
                await claimed.wait()
                return None
            await claimed.wait()  # every claim is written before anyone confirms
            try:
                await logins.confirm(store, held)
            except ClaimLost:
                return None
            return f"P{n}"

        results = await asyncio.gather(*(claimant(n) for n in range(16)))
        return [r for r in results if r is not None]

    winners = run(race())
    assert len(winners) == 1
    assert run(logins.holder(store, EMAIL, "race@example.com")) == winners[0]


def test_a_forced_claim_names_the_player_it_took_the_identity_from(run):
    store = run.store
    kind = LoginKind.IOS_DEVICE_ID
    first = run(logins.claim(store, kind, "d2", "P1"))
    assert first.taken_from is None  # a new lookup
    run(logins.confirm(store, first))
    forced = run(logins.claim(store, kind, "d2", "P2", force=True))
    assert forced.taken_from == "P1"
    pending = run(logins.claim(store, kind, "d2", "P3", force=True))
    assert pending.taken_from is None  # P2 never confirmed: nothing was taken from anyone
    run(logins.confirm(store, pending))
    assert run(logins.claim(store, kind, "d2", "P3", force=True)).taken_from is None  # its own already
