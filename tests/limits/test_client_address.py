"""Client address keys and the per-process counter behind the anonymous-call limit (pure functions)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from shared.auth.client_address import normalise, resolve
from shared.config.rate_windows import Window
from shared.config.settings import load_settings
from shared.limits.address_limits import AddressBudgets
from shared.limits.rate_limits import refusal_delay
from shared.wire.errors import PlayFabError


def test_address_keys():
    assert normalise("203.0.113.7:443") == "203.0.113.7"
    assert normalise("[2001:db8:1:2::5]:443") == normalise("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert normalise("::ffff:198.51.100.1") == "198.51.100.1"
    assert normalise("not an address") == normalise(None) == "unknown"
    # auto: X-Forwarded-For only when the host knows no peer (the Functions host).
    assert resolve("198.51.100.1, 10.0.0.1", None, "auto") == "198.51.100.1"
    assert resolve("198.51.100.1", "127.0.0.1", "auto") == "127.0.0.1"
    assert resolve("198.51.100.1", "127.0.0.1", "true") == "198.51.100.1"
    assert resolve("198.51.100.1", None, "false") == "unknown"


def test_the_per_process_counter_stays_bounded():
    budgets = AddressBudgets((Window(1, 60),), capacity=100)
    for n in range(1_000):
        budgets.charge(f"10.0.{n // 256}.{n % 256}", at=0)
    assert len(budgets) == 100
    with pytest.raises(Exception, match="APIClientRequestRateLimitExceeded"):
        budgets.charge("10.0.3.231", at=1)  # the most recent are remembered


def test_refusals_are_held_only_where_the_host_gives_the_peer():
    settings = load_settings(
        {"PLAYFAB_TITLE_ID": "T", "PLAYFAB_SECRET_KEYS": "s" * 16, "TOKEN_SIGNING_KEY": "k" * 32, "SQLITE_PATH": "x"}
    )
    throttled = PlayFabError("APIClientRequestRateLimitExceeded", "slow down", retry_after_seconds=30)
    assert refusal_delay(settings, True, throttled) == 1.0  # the local host
    assert refusal_delay(settings, False, throttled) == 0.0  # the Functions host: a held call bills
    soon = PlayFabError("APIClientRequestRateLimitExceeded", "slow down", retry_after_seconds=1)
    assert refusal_delay(replace(settings, refusal_delay_ms=5000), False, soon) == 1.0  # never past Retry-After
    assert refusal_delay(settings, True, PlayFabError("InvalidParams", "no")) == 0.0
