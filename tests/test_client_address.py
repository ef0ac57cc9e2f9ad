"""Client address keys and the per-process counter behind the anonymous-call limit (pure functions)."""

from __future__ import annotations

import pytest

from shared.address_limits import AddressBudgets
from shared.client_address import normalise, resolve
from shared.rate_windows import Window


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
