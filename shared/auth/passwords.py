"""Player passwords: argon2id hashes (argon2-cffi) in a document of their own, never in the account.

The hash string carries its salt and parameters, so raising the parameters later needs no migration:
a successful login with an older hash stores a new one. Hashing is CPU-bound for tens of
milliseconds on purpose, so it runs in threads of its own, one fewer than the cores (at least one): it never
stalls the event loop, and a burst of password logins queues for those threads instead of taking every
core from the calls that need none.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any, Final, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from shared.storage import NotFound, Store
from shared.storage.layout import PASSWORD_DOC, PLAYERS

# RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes) is argon2-cffi's default;
# 19 MiB and 2 passes is OWASP's minimum for argon2id, a fifth of the memory per concurrent login.
# Each stored hash records its own ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"): raise these and
# every player's hash is redone with the new ones at their next successful login.
TIME_COST: Final = 2  # passes over the memory
MEMORY_KIB: Final = 19 * 1024
PARALLELISM: Final = 1  # lanes; one thread per hash, so concurrent logins share the cores
SALT_BYTES: Final = 16  # random per hash
HASH_BYTES: Final = 32
_HASHER: Final = PasswordHasher(
    time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM, hash_len=HASH_BYTES, salt_len=SALT_BYTES
)


HASHING_THREADS: Final = max(1, (os.cpu_count() or 1) - 1)
_HASHING: Final = ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix="password-hash")
T = TypeVar("T")


async def _in_hashing_thread(fn: Callable[..., T], *args: str) -> T:
    return await asyncio.get_running_loop().run_in_executor(_HASHING, fn, *args)


def _hash(password: str) -> str:
    return _HASHER.hash(password)


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    return await _in_hashing_thread(_hash, password)


async def set_password(store: Store, playfab_id: str, password: str) -> None:
    """Store a new hash for the player, replacing any earlier one."""
    stored = await hash_password(password)

    def put(body: dict[str, Any] | None) -> dict[str, Any]:
        return {"Hash": stored}

    await store.update(PLAYERS, playfab_id, PASSWORD_DOC, put)


async def remove_password(store: Store, playfab_id: str) -> None:
    """Delete the player's hash, if any (undoing a password that did not land with its username)."""
    with contextlib.suppress(NotFound):
        await store.delete(PLAYERS, playfab_id, PASSWORD_DOC)


async def has_password(store: Store, playfab_id: str) -> bool:
    return await store.read(PLAYERS, playfab_id, PASSWORD_DOC) is not None


async def check_password(store: Store, playfab_id: str, password: str) -> bool:
    """True when the password matches; a hash made with older parameters is replaced on success."""
    doc = await store.read(PLAYERS, playfab_id, PASSWORD_DOC)
    if doc is None:
        # Spend the same time as a real check, so timing does not tell which accounts have a password.
        await spend_check_time(password)
        return False
    stored = str(doc.body.get("Hash", ""))
    if not await _in_hashing_thread(_verify, stored, password):
        return False
    if _HASHER.check_needs_rehash(stored):
        await set_password(store, playfab_id, password)
    return True


async def spend_check_time(password: str) -> None:
    """Do the work of checking a password against a hash nobody holds (an unknown player's login)."""
    await _in_hashing_thread(_verify_dummy, password)


def _verify_dummy(password: str) -> bool:
    return _verify(_dummy_hash(), password)


@cache
def _dummy_hash() -> str:
    return _hash("not a password of anyone")
