"""Wrong passwords, counted per account and per client address, so a password cannot be guessed at the
speed of the server.

Only failures count (a wrong password, or an email or username nobody holds, which counts against the
address alone). Once a budget is spent, every password login it covers is refused with a 429 before the
password is checked, the right one too, until its window ends: otherwise a guesser would learn the
password from the one answer that is not a refusal. The counters are the store's fixed windows
(shared/limits/rate_limits.py), so they hold across processes and instances.
"""

from __future__ import annotations

from shared.auth.client_address import CURRENT, UNKNOWN
from shared.config.clock import now
from shared.config.rate_windows import PASSWORD_FAILURES, PASSWORD_FAILURES_PER_ADDRESS
from shared.limits import full_windows
from shared.limits.rate_limits import WindowFull, charge_in_store, spend, windows_of
from shared.services import Services
from shared.storage.layout import LOOKUPS, PLAYERS, address_pk, rate_limit_doc


def _budgets(services: Services, playfab_id: str | None) -> list[tuple[str, str, str]]:
    """(limit, container, partition key) of each budget a password login spends."""
    if services.settings.rate_limits == "off":
        return []
    address = CURRENT.get() or UNKNOWN
    budgets = [(PASSWORD_FAILURES, PLAYERS, playfab_id)] if playfab_id is not None else []
    return [*budgets, (PASSWORD_FAILURES_PER_ADDRESS, LOOKUPS, address_pk(address))]


async def refuse_if_spent(services: Services, playfab_id: str | None) -> None:
    """Refuse (429) when the address's or the account's failures have filled a window; counts nothing."""
    for limit, container, pk in _budgets(services, playfab_id):
        key = (container, pk, limit)
        full_windows.check(key)
        doc = await services.store.read(container, pk, rate_limit_doc(limit))
        at = now()
        try:
            spend(windows_of(services.settings, limit), doc.body if doc else None, at)
        except WindowFull as full:
            full_windows.remember(key, at + full.wait)
            raise full_windows.refused(full.wait) from None


async def count_failure(services: Services, playfab_id: str | None) -> None:
    """Count one failed password login against the address and, when one was named, the account."""
    for limit, container, pk in _budgets(services, playfab_id):
        await charge_in_store(services, limit, container, pk)
