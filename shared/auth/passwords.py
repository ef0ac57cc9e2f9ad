"""Player passwords: argon2id hashes (argon2-cffi) in a document of their own, never in the account.

The hash string carries its salt and parameters, so raising the parameters later needs no migration:
a successful login with an older hash stores a new one. Hashing is CPU-bound for tens of
milliseconds on purpose, so it runs in a worker thread and never stalls the event loop.
"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any, Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from shared.storage import Store
from shared.storage.layout import PASSWORD_DOC, PLAYERS

# RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes) is argon2-cffi's default;
# 19 MiB and 2 passes is OWASP's minimum for argon2id, a fifth of the memory per concurrent login.
_HASHER: Final = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def _hash(password: str) -> str:
    return _HASHER.hash(password)


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hash, password)


async def set_password(store: Store, playfab_id: str, password: str) -> None:
    """Store a new hash for the player, replacing any earlier one."""
    stored = await hash_password(password)

    def put(body: dict[str, Any] | None) -> dict[str, Any]:
        return {"Hash": stored}

    await store.update(PLAYERS, playfab_id, PASSWORD_DOC, put)


async def has_password(store: Store, playfab_id: str) -> bool:
    return await store.read(PLAYERS, playfab_id, PASSWORD_DOC) is not None


async def check_password(store: Store, playfab_id: str, password: str) -> bool:
    """True when the password matches; a hash made with older parameters is replaced on success."""
    doc = await store.read(PLAYERS, playfab_id, PASSWORD_DOC)
    if doc is None:
        # Spend the same time as a real check, so timing does not tell which accounts have a password.
        await asyncio.to_thread(_verify, _dummy_hash(), password)
        return False
    stored = str(doc.body.get("Hash", ""))
    if not await asyncio.to_thread(_verify, stored, password):
        return False
    if _HASHER.check_needs_rehash(stored):
        await set_password(store, playfab_id, password)
    return True


@cache
def _dummy_hash() -> str:
    return _hash("not a password of anyone")
