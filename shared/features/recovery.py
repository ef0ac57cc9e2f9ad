"""Account recovery: one-time, expiring password-reset tokens, the email that carries one, the reset.

A token is 32 random bytes (URL-safe text). Only its SHA-256 is stored, as one lookup document
(`layout.recovery_token_pk`), so the store never holds a usable token; the player's `RECOVERY_DOC`
names the latest one, and issuing a new token deletes the one before, so an older link stops working
and each player keeps at most one token document. A reset marks the token used with an
etag-conditional replace before it sets the password, so of two resets racing with one token exactly
one applies. A used or expired token stays until the next is issued, which is what lets a second
use answer `AuthTokenAlreadyUsedToResetPassword` rather than `AuthTokenDoesNotExist`.

Client requests never tell whether an email belongs to anyone: the answer is the same, the same
counters are charged and the same reads made first, and the token and the mail are made after the
answer (`_background`), so neither the answer nor its timing depends on the address being known.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import secrets
from typing import Any, Final
from urllib.parse import quote

from shared.auth import logins, passwords
from shared.auth.accounts import PASSWORD_RESET_REQUIRED, find_account
from shared.auth.caller import Auth, Caller
from shared.auth.client_address import CURRENT, UNKNOWN
from shared.auth.logins import LoginKind
from shared.config.clock import now
from shared.config.rate_windows import RECOVERY_ADDRESS, RECOVERY_EMAIL
from shared.features import credentials, identity
from shared.limits.rate_limits import charge_in_store
from shared.mail.delivery import DeliveryFailed, deliver, sender
from shared.mail.recovery_message import recovery_message
from shared.pipeline import Operation
from shared.services import Services
from shared.storage import Document, NotFound, PreconditionFailed, Store
from shared.storage.layout import (
    ACCOUNT_DOC,
    LOOKUPS,
    PLAYERS,
    RECOVERY_DOC,
    RECOVERY_TOKEN_DOC,
    address_pk,
    recovery_email_pk,
    recovery_token_pk,
)
from shared.wire.errors import PlayFabError
from shared.wire.validation import (
    AdminSendAccountRecoveryEmailRequest,
    ResetPasswordRequest,
    SendAccountRecoveryEmailRequest,
)

log = logging.getLogger("playfab.recovery")

TOKEN_BYTES: Final = 32
# What secrets.token_urlsafe(32) makes: 43 characters of the URL-safe base64 alphabet.
_TOKEN_SHAPE: Final = re.compile(r"[A-Za-z0-9_-]{43}")
# The reset page's path under the route prefix (functions/reset_page.py registers it).
RESET_PAGE_ROUTE: Final = "account/reset-password"
_NO_ONE: Final = "0" * 16  # a PlayFabId new_id() never makes with any real chance
# Passwords and email addresses follow the one rule registration applies (shared/features/credentials.py).
MIN_PASSWORD_CHARS, MAX_PASSWORD_CHARS = credentials.PASSWORD_CHARS


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalized_email(email: str) -> str:
    """The address as compared (emails match without regard to case), or InvalidEmailAddress (1005)."""
    address = email.strip()
    if (problem := credentials.email_problem(address)) is not None:
        raise PlayFabError("InvalidEmailAddress", problem, {"Email": [problem]})
    return address.lower()


def reset_link(services: Services, token: str) -> str:
    base = services.settings.public_url
    if not base:
        log.error("PUBLIC_URL is not set: recovery emails cannot carry a link")
        raise PlayFabError(
            "ServiceUnavailable", "Account recovery is not configured; retry later.", retry_after_seconds=60
        )
    return f"{base.rstrip('/')}/{RESET_PAGE_ROUTE}?token={quote(token)}"


async def issue_token(services: Services, playfab_id: str) -> str:
    """A new reset token for the player; the one issued before it stops working."""
    store = services.store
    token = secrets.token_urlsafe(TOKEN_BYTES)
    token_hash, at = _digest(token), now()
    await store.create(
        LOOKUPS,
        recovery_token_pk(token_hash),
        RECOVERY_TOKEN_DOC,
        {"PlayFabId": playfab_id, "Issued": at, "Expires": at + services.settings.recovery_token_ttl_seconds},
    )
    previous: list[str | None] = [None]

    def point(body: dict[str, Any] | None) -> dict[str, Any]:
        previous[0] = (body or {}).get("Token")
        return {"Token": token_hash}

    await store.update(PLAYERS, playfab_id, RECOVERY_DOC, point)
    if previous[0] and previous[0] != token_hash:
        with contextlib.suppress(NotFound):
            await store.delete(LOOKUPS, recovery_token_pk(previous[0]), RECOVERY_TOKEN_DOC)
    return token


async def forget(store: Store, playfab_id: str) -> None:
    """Delete the player's reset token (for deleting a player: the token lives outside its partition)."""
    latest = await store.read(PLAYERS, playfab_id, RECOVERY_DOC)
    if latest is not None and latest.body.get("Token"):
        with contextlib.suppress(NotFound):
            await store.delete(LOOKUPS, recovery_token_pk(str(latest.body["Token"])), RECOVERY_TOKEN_DOC)
    with contextlib.suppress(NotFound):
        await store.delete(PLAYERS, playfab_id, RECOVERY_DOC)


def _token_error(name: str, message: str) -> PlayFabError:
    return PlayFabError(name, message, {"Token": [message]})


async def check_token(services: Services, token: str) -> Document:
    """The token's document while the token can still reset a password; else its PlayFab error."""
    store = services.store
    if not _TOKEN_SHAPE.fullmatch(token):
        raise _token_error("InvalidAuthToken", "The password reset token is not valid.")
    pk = recovery_token_pk(_digest(token))
    doc = await store.read(LOOKUPS, pk, RECOVERY_TOKEN_DOC)
    if doc is None:
        raise _token_error("AuthTokenDoesNotExist", "The password reset token does not exist.")
    if doc.body.get("Used"):
        raise _token_error("AuthTokenAlreadyUsedToResetPassword", "The password reset token has already been used.")
    if now() >= float(doc.body["Expires"]):
        raise _token_error("AuthTokenExpired", "The password reset token has expired.")
    playfab_id = str(doc.body["PlayFabId"])
    latest = await store.read(PLAYERS, playfab_id, RECOVERY_DOC)
    if latest is None or latest.body.get("Token") != _digest(token) or await find_account(store, playfab_id) is None:
        # Replaced by a newer token whose clean-up had not run, or the player is gone.
        raise _token_error("AuthTokenDoesNotExist", "The password reset token does not exist.")
    return doc


async def reset_password(services: Services, token: str, password: str) -> str:
    """Spend the token and set the password; return the player's PlayFabId."""
    doc = await check_token(services, token)
    playfab_id = str(doc.body["PlayFabId"])
    pk = recovery_token_pk(_digest(token))
    try:
        await services.store.replace(
            LOOKUPS, pk, RECOVERY_TOKEN_DOC, {**doc.body, "Used": True, "UsedAt": now()}, doc.etag
        )
    except (NotFound, PreconditionFailed):  # a racing reset with the same token spent it first
        raise _token_error(
            "AuthTokenAlreadyUsedToResetPassword", "The password reset token has already been used."
        ) from None
    await passwords.set_password(services.store, playfab_id, password)
    await _clear_reset_mark(services.store, playfab_id)
    return playfab_id


async def _clear_reset_mark(store: Store, playfab_id: str) -> None:
    """A migrated account waiting for a password (accounts.PASSWORD_RESET_REQUIRED) has one now."""

    def clear(body: dict[str, Any] | None) -> dict[str, Any] | None:
        if body is None or PASSWORD_RESET_REQUIRED not in body:
            return None
        del body[PASSWORD_RESET_REQUIRED]
        return body

    await store.update(PLAYERS, playfab_id, ACCOUNT_DOC, clear)


async def _charge(services: Services, address_key: str) -> None:
    """Throttle client requests per email asked for and per client address, known or not."""
    if services.settings.rate_limits == "off":
        return
    await charge_in_store(services, RECOVERY_ADDRESS, LOOKUPS, address_pk(CURRENT.get() or UNKNOWN))
    await charge_in_store(services, RECOVERY_EMAIL, LOOKUPS, recovery_email_pk(_digest(address_key)))


async def _recipient(services: Services, address_key: str) -> tuple[str, str] | None:
    """(PlayFabId, email as the player gave it) of the account holding this email, if any."""
    playfab_id = await logins.holder(services.store, LoginKind.EMAIL, address_key)
    # An unknown email reads an account too (one no one has), so both cost the same two reads.
    account = await find_account(services.store, playfab_id or _NO_ONE)
    if account is None or playfab_id is None:
        return None
    email = logins.linked(account).get(LoginKind.EMAIL)
    return (playfab_id, email) if email else None


async def _prepare(services: Services, recipient: tuple[str, str]) -> Any:
    playfab_id, email = recipient
    token = await issue_token(services, playfab_id)
    settings = services.settings
    minutes = max(1, settings.recovery_token_ttl_seconds // 60)
    return recovery_message(sender(settings), email, settings.title_id, reset_link(services, token), minutes)


# Deliveries under way after their answer left; kept so the event loop does not drop them.
_PENDING: set[asyncio.Task[None]] = set()


async def _issue_and_deliver(services: Services, recipient: tuple[str, str]) -> None:
    try:
        await deliver(services.settings, await _prepare(services, recipient))
    except DeliveryFailed as exc:
        log.warning("recovery email not sent: %s", exc)
    except Exception as exc:  # nobody waits for this task: say what failed, never with its text
        log.warning("recovery email not sent: %s", type(exc).__name__)


def _background(services: Services, recipient: tuple[str, str]) -> None:
    task = asyncio.get_running_loop().create_task(_issue_and_deliver(services, recipient))
    _PENDING.add(task)
    task.add_done_callback(_PENDING.discard)


async def _client_send(services: Services, caller: Caller, req: SendAccountRecoveryEmailRequest) -> dict[str, Any]:
    identity.check_title(services, req.TitleId)
    address_key = normalized_email(req.Email)
    await _charge(services, address_key)
    recipient = await _recipient(services, address_key)
    if recipient is not None:
        _background(services, recipient)  # the token and the mail: after the answer, known or not
    return {}


async def _admin_send(services: Services, caller: Caller, req: AdminSendAccountRecoveryEmailRequest) -> dict[str, Any]:
    address_key = normalized_email(req.Email)
    recipient = await _recipient(services, address_key)
    if recipient is None:
        message = "No account has this email address."
        raise PlayFabError("NoContactEmailAddressFound", message, {"Email": [message]})
    try:
        await deliver(services.settings, await _prepare(services, recipient))
    except DeliveryFailed as exc:
        log.warning("recovery email not sent: %s", exc)
        raise PlayFabError(
            "ServiceUnavailable", "The recovery email could not be sent; retry later.", retry_after_seconds=30
        ) from None
    return {}


async def _reset(services: Services, caller: Caller, req: ResetPasswordRequest) -> dict[str, Any]:
    await reset_password(services, req.Token, req.Password)
    return {}


client_send_account_recovery_email = Operation(Auth.NONE, SendAccountRecoveryEmailRequest, _client_send)
admin_send_account_recovery_email = Operation(Auth.SECRET, AdminSendAccountRecoveryEmailRequest, _admin_send)
admin_reset_password = Operation(Auth.SECRET, ResetPasswordRequest, _reset)
