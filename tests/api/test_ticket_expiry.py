"""An expired ticket is told apart from a forged one only after its signature checks out (shared/auth/tokens.py)."""

from __future__ import annotations

import pytest

from shared.auth.tokens import SESSION_TICKET, Signer, TokenExpired, TokenInvalid

SIGNER = Signer(("a-signing-key-for-these-tests-0123456789",), "TITLE")


def test_an_expired_ticket_carries_its_verified_claims():
    ticket, _ = SIGNER.issue(SESSION_TICKET, {"p": "P1", "e": "E1"}, 60, now=1_000)
    assert SIGNER.verify(SESSION_TICKET, ticket, now=1_059)["p"] == "P1"
    with pytest.raises(TokenExpired) as expired:
        SIGNER.verify(SESSION_TICKET, ticket, now=1_060)
    assert (expired.value.claims["p"], expired.value.claims["e"], expired.value.claims["ti"]) == ("P1", "E1", "TITLE")


def test_a_forged_expired_ticket_is_invalid_not_expired():
    ticket, _ = SIGNER.issue(SESSION_TICKET, {"p": "P1", "e": "E1"}, 60, now=1_000)
    signed, _, mac = ticket.partition(".")
    other = Signer(("another-signing-key-for-these-tests-012",), "TITLE")
    forged, _ = other.issue(SESSION_TICKET, {"p": "P1", "e": "E1"}, 60, now=1_000)
    for bad in (f"{signed}.{mac[::-1]}", forged):
        with pytest.raises(TokenInvalid):
            SIGNER.verify(SESSION_TICKET, bad, now=5_000)
