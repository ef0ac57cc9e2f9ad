"""Client/LoginWithCustomID and Authentication/GetEntityToken."""

from __future__ import annotations

from typing import Any

from shared.auth import accounts
from shared.auth.bans_in_force import refuse_if_banned
from shared.auth.caller import ENTITY_CHARACTER, ENTITY_TITLE, ENTITY_TITLE_PLAYER, Auth, Caller
from shared.auth.logins import LoginKind
from shared.auth.tokens import ENTITY_TOKEN, SESSION_TICKET
from shared.config.clock import iso, now
from shared.features import characters, combined_info, playstream
from shared.limits import address_limits
from shared.pipeline import Operation
from shared.services import Services
from shared.storage.layout import ENTITIES, PROFILE_DOC, entity_pk
from shared.wire.errors import PlayFabError
from shared.wire.validation import GetEntityTokenRequest, LoginRequest, LoginWithCustomIDRequest


def entity_token(services: Services, entity_type: str, entity_id: str, playfab_id: str | None) -> dict[str, Any]:
    claims: dict[str, Any] = {"t": entity_type, "i": entity_id}
    if playfab_id:
        claims["p"] = playfab_id
    token, expires = services.signer.issue(ENTITY_TOKEN, claims, services.settings.entity_token_ttl_seconds)
    return {"EntityToken": token, "TokenExpiration": iso(expires), "Entity": {"Id": entity_id, "Type": entity_type}}


def check_title(services: Services, title_id: str) -> None:
    """The TitleId a Client call without credentials names must be this deployment's."""
    if title_id != services.settings.title_id:
        raise PlayFabError("InvalidTitleId", f"Title {title_id} is not served here.", {"TitleId": ["unknown title"]})


async def login_result(
    services: Services,
    account: dict[str, Any],
    created: bool,
    previous: float | None,
    req: LoginRequest,
    kind: LoginKind | None = None,
) -> dict[str, Any]:
    """PlayFab's LoginResult for a player that has just logged in, the same for every kind of login.
    A banned player gets AccountBanned instead, and a player being deleted is not found."""
    if accounts.being_deleted(account):
        raise PlayFabError("AccountNotFound", "User not found.")
    refuse_if_banned(account, now())
    pid, eid = account["PlayFabId"], account["TitlePlayerAccountId"]
    ticket, _ = services.signer.issue(SESSION_TICKET, {"p": pid, "e": eid}, services.settings.session_ttl_seconds)
    result: dict[str, Any] = {
        "PlayFabId": pid,
        "SessionTicket": ticket,
        "NewlyCreated": created,
        "EntityToken": entity_token(services, ENTITY_TITLE_PLAYER, eid, pid),
    }
    if previous is not None:
        result["LastLoginTime"] = iso(previous)
    if req.InfoRequestParameters is not None:
        result["InfoResultPayload"] = await combined_info.payload(
            services, pid, req.InfoRequestParameters, account=account
        )
    await playstream.logged_in(services, account, created, kind)
    return result


async def login(services: Services, req: LoginRequest, kind: LoginKind, value: str) -> dict[str, Any]:
    """Log in (or create, with CreateAccount) the player an identity names, and answer a LoginResult."""
    if kind is not LoginKind.SERVER_CUSTOM_ID:  # the one login a game server makes, with its secret key
        combined_info.check_client_params(services, req.InfoRequestParameters)  # before anything is written
    account, created, previous = await accounts.login(
        services.store,
        kind,
        value,
        create=bool(req.CreateAccount),
        before_create=lambda: address_limits.charge_account_creation(services),
    )
    return await login_result(services, account, created, previous, req, kind)


async def _login_with_custom_id(services: Services, caller: Caller, req: LoginWithCustomIDRequest) -> dict[str, Any]:
    check_title(services, req.TitleId)
    if not req.CustomId:
        raise PlayFabError("InvalidParams", "Invalid input parameters", {"CustomId": ["CustomId is required"]})
    return await login(services, req, LoginKind.CUSTOM_ID, req.CustomId)


async def _character_token(services: Services, caller: Caller, character_id: str) -> dict[str, Any]:
    """A player may act as one of its characters: listed in its index, with a live profile naming it."""
    assert caller.playfab_id
    listed = await characters.list_characters(services.store, caller.playfab_id, check_account=False)
    doc = await services.store.read(ENTITIES, entity_pk(ENTITY_CHARACTER, character_id), PROFILE_DOC)
    owned = any(entry["CharacterId"] == character_id for entry in listed)
    if not owned or doc is None or doc.body.get("PlayFabId") != caller.playfab_id:
        raise PlayFabError(
            "NotAuthorized",
            "A player can only get a token for itself or its own characters.",
            {"Entity": [f"character {character_id} is not the caller's"]},
            http_status=403,
        )
    return entity_token(services, ENTITY_CHARACTER, character_id, caller.playfab_id)


async def _get_entity_token(services: Services, caller: Caller, req: GetEntityTokenRequest) -> dict[str, Any]:
    assert caller.entity_type and caller.entity_id
    if (
        req.Entity is not None
        and req.Entity.type_name() == ENTITY_CHARACTER
        and caller.entity_type == ENTITY_TITLE_PLAYER
    ):
        return await _character_token(services, caller, req.Entity.Id)
    if req.Entity is not None and (req.Entity.Id, req.Entity.type_name()) != (caller.entity_id, caller.entity_type):
        raise PlayFabError(
            "NotAuthorized",
            "A caller can only get a token for its own entity.",
            {"Entity": [f"the caller is {caller.entity_type} {caller.entity_id}"]},
            http_status=403,
        )
    if caller.entity_type == ENTITY_TITLE:
        return entity_token(services, ENTITY_TITLE, services.settings.title_id, None)
    return entity_token(services, caller.entity_type, caller.entity_id, caller.playfab_id)


login_with_custom_id = Operation(Auth.NONE, LoginWithCustomIDRequest, _login_with_custom_id)
get_entity_token = Operation(Auth.ANY, GetEntityTokenRequest, _get_entity_token)
