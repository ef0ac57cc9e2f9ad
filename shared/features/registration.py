"""Client/RegisterPlayFabUser and Client/AddUsernamePassword: a username and email, with a password, for a
new player or for the calling one.

Both follow shared/auth/logins.py: the username and email are claimed pending, the account and the
password are written, then each claim is confirmed. A claim another player holds (Taken), or one taken
over before it was confirmed (ClaimLost), undoes everything this call wrote and answers
UsernameNotAvailable or EmailAddressNotAvailable; so of racing registrations of one email, one lands.
"""

from __future__ import annotations

from typing import Any

from shared.auth import accounts, passwords
from shared.auth.caller import Auth, Caller
from shared.auth.logins import Claim, ClaimLost, LoginKind, Taken, claim, confirm, linked, release
from shared.config.clock import new_id, now
from shared.features import credentials, display_names, identity, playstream
from shared.limits import address_limits
from shared.pipeline import Operation
from shared.services import Services
from shared.storage import Store
from shared.storage.layout import ACCOUNT_DOC, PASSWORD_DOC, PLAYERS
from shared.wire.errors import PlayFabError
from shared.wire.validation import AddUsernamePasswordRequest, RegisterPlayFabUserRequest

_NOT_AVAILABLE = {
    LoginKind.USERNAME: ("UsernameNotAvailable", "Username not available.", "Username"),
    LoginKind.EMAIL: ("EmailAddressNotAvailable", "Email address not available.", "Email"),
}
_ALREADY_LINKED = "This account already has a username, email and password."


def not_available(kind: LoginKind) -> PlayFabError:
    name, message, field = _NOT_AVAILABLE[kind]
    return PlayFabError(name, message, {field: [message]})


async def release_all(store: Store, playfab_id: str, wanted: dict[LoginKind, str]) -> None:
    """Delete each lookup of `wanted` that names `playfab_id`, pending or confirmed; others' stay."""
    for kind, value in wanted.items():
        await release(store, kind, value, playfab_id)


async def claim_all(store: Store, playfab_id: str, wanted: dict[LoginKind, str]) -> list[Claim]:
    """Claim each identity pending for `playfab_id`; on the first one held, undo the others and refuse."""
    held: list[Claim] = []
    for kind, value in wanted.items():
        try:
            held.append(await claim(store, kind, value, playfab_id))
        except (Taken, ClaimLost):
            await release_all(store, playfab_id, wanted)
            raise not_available(kind) from None
    return held


async def confirm_all(held: list[Claim], store: Store) -> None:
    """Confirm every claim, or refuse with the first one taken over meanwhile (the caller undoes)."""
    for each in held:
        try:
            await confirm(store, each)
        except ClaimLost:
            raise not_available(each.kind) from None


def _wanted(username: str | None, email: str | None) -> dict[LoginKind, str]:
    wanted: dict[LoginKind, str] = {}
    if username is not None:
        wanted[LoginKind.USERNAME] = username
    if email is not None:
        wanted[LoginKind.EMAIL] = email
    return wanted


def _check_registration(req: RegisterPlayFabUserRequest) -> None:
    problems = credentials.check(req.Username, req.Email, req.Password)
    if req.Password is None:
        problems["Password"] = [credentials.required("Password")]
    both = req.RequireBothUsernameAndEmail is not False  # PlayFab's default is true
    for name, value in (("Username", req.Username), ("Email", req.Email)):
        if value is None and both:
            problems[name] = [credentials.required(name)]
    if not both and req.Username is None and req.Email is None:
        message = "A Username or an Email is required."
        problems["Username"], problems["Email"] = [message], [message]
    credentials.refuse(problems)


async def _register(services: Services, caller: Caller, req: RegisterPlayFabUserRequest) -> dict[str, Any]:
    identity.check_title(services, req.TitleId)
    _check_registration(req)
    assert req.Password is not None
    store = services.store
    await address_limits.charge_account_creation(services)
    wanted, pid = _wanted(req.Username, req.Email), new_id()
    held = await claim_all(store, pid, wanted)
    account: dict[str, Any] | None = None
    shown: str | None = None  # the display name as set_display_name kept it
    try:
        account = await accounts.create_account(store, pid, wanted, now())
        await passwords.set_password(store, pid, req.Password)
        if req.DisplayName is not None:
            shown = await display_names.set_display_name(services, pid, req.DisplayName)
        await confirm_all(held, store)
    except Exception:
        await release_all(store, pid, wanted)
        if shown is not None:
            await release(store, LoginKind.DISPLAY_NAME, shown, pid)
        if account is not None:
            await accounts.discard_account(store, account, (PASSWORD_DOC,))
        raise
    # RegisterPlayFabUserResult has no NewlyCreated, LastLoginTime or InfoResultPayload.
    login = await identity.login_result(
        services, account, True, None, req.model_copy(update={"InfoRequestParameters": None}), LoginKind.USERNAME
    )
    result = {key: login[key] for key in ("PlayFabId", "SessionTicket", "EntityToken")}
    if req.Username is not None:
        result["Username"] = req.Username
    return result


class _AlreadyLinked(Exception):
    pass


async def _add_username_password(services: Services, caller: Caller, req: AddUsernamePasswordRequest) -> dict[str, Any]:
    credentials.refuse(credentials.check(req.Username, req.Email, req.Password))
    assert caller.playfab_id
    store, pid = services.store, caller.playfab_id
    logins = linked(await accounts.require_account(store, pid))
    if LoginKind.USERNAME in logins or LoginKind.EMAIL in logins or await passwords.has_password(store, pid):
        raise PlayFabError("AccountAlreadyLinked", _ALREADY_LINKED)
    wanted = _wanted(req.Username, req.Email)
    held = await claim_all(store, pid, wanted)
    added = {kind.value: value for kind, value in wanted.items()}

    def add(body: dict[str, Any] | None) -> dict[str, Any] | None:
        if body is None:
            return None
        if set(body.get("Logins", {})) & set(added):  # a racing call of this player added its own first
            raise _AlreadyLinked
        body["Logins"] = {**body.get("Logins", {}), **added}
        return body

    def remove(body: dict[str, Any] | None) -> dict[str, Any] | None:
        if body is None:
            return None
        body["Logins"] = {k: v for k, v in body.get("Logins", {}).items() if k not in added}
        return body

    try:
        await store.update(PLAYERS, pid, ACCOUNT_DOC, add)
    except Exception as exc:
        await release_all(store, pid, wanted)
        if isinstance(exc, _AlreadyLinked):
            raise PlayFabError("AccountAlreadyLinked", _ALREADY_LINKED) from None
        raise
    try:
        await passwords.set_password(store, pid, req.Password)
        await confirm_all(held, store)
    except Exception:
        await release_all(store, pid, wanted)
        await store.update(PLAYERS, pid, ACCOUNT_DOC, remove)
        await passwords.remove_password(store, pid)
        raise
    linked_body = {"Origination": "PlayFab", "Username": req.Username, "Email": req.Email}
    await playstream.record(
        services, name="player_linked_account", entity_type=playstream.PLAYER, entity_id=pid, body=linked_body
    )
    return {"Username": req.Username}


register_playfab_user = Operation(Auth.NONE, RegisterPlayFabUserRequest, _register)
add_username_password = Operation(Auth.SESSION, AddUsernamePasswordRequest, _add_username_password)
