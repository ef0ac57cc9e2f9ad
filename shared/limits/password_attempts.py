"""Wrong passwords, counted per account and per client address, so a password cannot be guessed at the
speed of the server.

Each password login is counted before its password is checked, and given back when the password was
right: so only failures stay counted (a wrong password, or an email or username nobody holds, which
counts against the address alone), and guesses sent all at once cannot slip past the count while the
first ones are still being checked. Once a budget is spent, every password login it covers is refused
with a 429 before any check, the right password too, until its window ends: otherwise a guesser would
learn the password from the one answer that is not a refusal. The counters are the store's fixed
windows (shared/limits/rate_limits.py), so they hold across processes and instances.
"""

from __future__ import annotations

from typing import Any

from shared.auth.client_address import CURRENT, UNKNOWN
from shared.config.rate_windows import PASSWORD_FAILURES, PASSWORD_FAILURES_PER_ADDRESS
from shared.limits.rate_limits import charge_in_store
from shared.services import Services
from shared.storage.layout import LOOKUPS, PLAYERS, address_pk, rate_limit_doc
from shared.wire.errors import PlayFabError

Budget = tuple[str, str, str]  # (limit, container, partition key)


def _budgets(services: Services, playfab_id: str | None) -> list[Budget]:
    """The budgets a password login spends: the account's (when one is named), then the address's."""
    if services.settings.rate_limits == "off":
        return []
    address = CURRENT.get() or UNKNOWN
    budgets = [(PASSWORD_FAILURES, PLAYERS, playfab_id)] if playfab_id is not None else []
    return [*budgets, (PASSWORD_FAILURES_PER_ADDRESS, LOOKUPS, address_pk(address))]


def _give_back(body: dict[str, Any] | None) -> dict[str, Any] | None:
    """The counter with one call fewer in each window (the stored shape of rate_limits.spend)."""
    if body is None:
        return None
    windows = body.get("Windows", {})
    body["Windows"] = {name: [start, max(0, used - 1)] for name, (start, used) in windows.items()}
    return body


async def _refund(services: Services, budgets: list[Budget]) -> None:
    for limit, container, pk in budgets:
        await services.store.update(container, pk, rate_limit_doc(limit), _give_back)


async def attempt(services: Services, playfab_id: str | None) -> None:
    """Count a password login as failed until `succeeded` says otherwise; refuse it (429) when a budget
    is spent, counting nothing."""
    charged: list[Budget] = []
    for budget in _budgets(services, playfab_id):
        try:
            await charge_in_store(services, *budget)
        except PlayFabError:
            await _refund(services, charged)
            raise
        charged.append(budget)


async def succeeded(services: Services, playfab_id: str) -> None:
    """The password was right: give back what `attempt` counted."""
    await _refund(services, _budgets(services, playfab_id))
