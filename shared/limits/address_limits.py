"""Anonymous calls per client address, counted in this process's memory.

Anonymous calls (the logins) have no player to charge, so PlayFab keys them by client address. They
are counted here before the caller is authenticated and before the body is parsed, so a refused call
costs a dictionary lookup: a counter in the store would cost a write per refused call, which is the
very load an attacker would then be able to cause. The price is that each worker process (and each
instance) counts on its own, so the effective limit is the configured one times the processes.
Account creation, which writes anyway, is counted in the store (shared/features/identity.py).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Final

from shared.auth.client_address import CURRENT, UNKNOWN
from shared.config.clock import now
from shared.config.rate_windows import ACCOUNT_CREATION, ANONYMOUS_CALLS, Windows
from shared.config.settings import Settings
from shared.limits.full_windows import refused
from shared.limits.rate_limits import WindowFull, charge_in_store, spend, windows_of
from shared.services import Services
from shared.storage.layout import LOOKUPS, address_pk

# Most addresses remembered at once; the least recently seen is forgotten first, so memory stays
# bounded however many addresses call. An evicted address starts afresh, which only helps an attacker
# who already controls this many addresses.
MAX_ADDRESSES: Final = 100_000


class AddressBudgets:
    """Fixed windows per address, with the same arithmetic as the store's counters."""

    def __init__(self, windows: Windows, capacity: int = MAX_ADDRESSES) -> None:
        self._windows = windows
        self._capacity = capacity
        self._counters: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def charge(self, address: str, at: float | None = None) -> None:
        """Count one call from `address`, or raise APIClientRequestRateLimitExceeded (1199)."""
        stored = self._counters.get(address)
        try:
            updated = spend(self._windows, stored, now() if at is None else at)
        except WindowFull as full:  # not counted
            raise refused(full.wait) from None
        self._counters[address] = updated
        self._counters.move_to_end(address)
        if len(self._counters) > self._capacity:
            self._counters.popitem(last=False)

    def __len__(self) -> int:
        return len(self._counters)


_budgets: dict[Windows, AddressBudgets] = {}


def budgets_for(windows: Windows) -> AddressBudgets:
    """This process's counters for a set of windows (one set per configuration, so tests may vary it)."""
    if windows not in _budgets:
        _budgets[windows] = AddressBudgets(windows)
    return _budgets[windows]


def charge_anonymous(settings: Settings, address: str) -> None:
    """Count an anonymous call from `address` in this process, or refuse it (429) at once."""
    if settings.rate_limits != "off":
        budgets_for(windows_of(settings, ANONYMOUS_CALLS)).charge(address)


async def charge_account_creation(services: Services) -> None:
    """Count one new account against the calling address, in the store so every process shares it."""
    if services.settings.rate_limits != "off":
        address = CURRENT.get() or UNKNOWN
        await charge_in_store(services, ACCOUNT_CREATION, LOOKUPS, address_pk(address))
