"""Server-side sign-in: LoginWithServerCustomId, Link/UnlinkServerCustomId, GetServerCustomIDsFromPlayFabIDs
and AuthenticateSessionTicket, all with the title's secret key."""

from __future__ import annotations

import asyncio
from typing import Any

from shared.auth import accounts, logins
from shared.auth.caller import Auth, Caller
from shared.auth.logins import LoginKind
from shared.auth.tokens import SESSION_TICKET, TokenExpired, TokenInvalid
from shared.config.rate_windows import LINKS
from shared.features import account_info, identity, links
from shared.pipeline import Operation
from shared.services import Services
from shared.wire.errors import PlayFabError
from shared.wire.validation import (
    AuthenticateSessionTicketRequest,
    GetServerCustomIDsFromPlayFabIDsRequest,
    LinkServerCustomIdRequest,
    LoginRequest,
    LoginWithServerCustomIdRequest,
    UnlinkServerCustomIdRequest,
)


async def _login_with_server_custom_id(
    services: Services, caller: Caller, req: LoginWithServerCustomIdRequest
) -> dict[str, Any]:
    # No address budget for new accounts here: the caller is the title's own server, holding its key.
    account, created, previous = await accounts.login(
        services.store, LoginKind.SERVER_CUSTOM_ID, req.ServerCustomId, create=bool(req.CreateAccount)
    )
    as_login = LoginRequest.model_construct(
        TitleId=services.settings.title_id,
        CreateAccount=req.CreateAccount,
        InfoRequestParameters=req.InfoRequestParameters,
    )
    return await identity.login_result(services, account, created, previous, as_login, LoginKind.SERVER_CUSTOM_ID)


async def _link_server_custom_id(services: Services, caller: Caller, req: LinkServerCustomIdRequest) -> dict[str, Any]:
    await links.link_and_record(
        services, links.SERVER_CUSTOM_ID, req.PlayFabId, req.ServerCustomId, bool(req.ForceLink)
    )
    return {}


async def _unlink_server_custom_id(
    services: Services, caller: Caller, req: UnlinkServerCustomIdRequest
) -> dict[str, Any]:
    await links.unlink_and_record(services, links.SERVER_CUSTOM_ID, req.PlayFabId, req.ServerCustomId)
    return {}


async def _server_custom_ids(
    services: Services, caller: Caller, req: GetServerCustomIDsFromPlayFabIDsRequest
) -> dict[str, Any]:
    """One entry per PlayFabId asked for, in order; ServerCustomId only where the player has one."""
    asked = list(dict.fromkeys(req.PlayFabIDs))
    found = await asyncio.gather(*(accounts.find_account(services.store, pid) for pid in asked))
    custom_ids = {
        pid: logins.linked(account).get(LoginKind.SERVER_CUSTOM_ID) if account else None
        for pid, account in zip(asked, found, strict=True)
    }
    data = []
    for pid in req.PlayFabIDs:
        entry = {"PlayFabId": pid}
        if (custom_id := custom_ids[pid]) is not None:
            entry["ServerCustomId"] = custom_id
        data.append(entry)
    return {"Data": data}


def _invalid_ticket() -> PlayFabError:
    # The caller's own credential (the key) is good: the ticket is a bad parameter, hence HTTP 400.
    return PlayFabError(
        "InvalidSessionTicket",
        "The session ticket is not valid.",
        {"SessionTicket": ["not a session ticket of this title"]},
        http_status=400,
    )


async def _authenticate_session_ticket(
    services: Services, caller: Caller, req: AuthenticateSessionTicketRequest
) -> dict[str, Any]:
    expired = False
    try:
        claims = services.signer.verify(SESSION_TICKET, req.SessionTicket)
    except TokenExpired as exc:  # genuine, only old: PlayFab says so rather than failing the call
        claims, expired = exc.claims, True
    except TokenInvalid:
        raise _invalid_ticket() from None
    playfab_id = claims.get("p")
    account = await accounts.find_account(services.store, playfab_id) if isinstance(playfab_id, str) else None
    if account is None or account.get("TitlePlayerAccountId") != claims.get("e"):
        raise _invalid_ticket()  # a player this store does not hold (or no longer holds)
    return {
        "IsSessionTicketExpired": expired,
        "UserInfo": await account_info.user_account_info(services, account),
    }


login_with_server_custom_id = Operation(Auth.SECRET, LoginWithServerCustomIdRequest, _login_with_server_custom_id)
# The title's links of a player draw on that player's LINKS budget (limited with RATE_LIMITS=all).
link_server_custom_id = Operation(Auth.SECRET, LinkServerCustomIdRequest, _link_server_custom_id, LINKS)
unlink_server_custom_id = Operation(Auth.SECRET, UnlinkServerCustomIdRequest, _unlink_server_custom_id, LINKS)
get_server_custom_ids_from_playfab_ids = Operation(
    Auth.SECRET, GetServerCustomIDsFromPlayFabIDsRequest, _server_custom_ids
)
authenticate_session_ticket = Operation(Auth.SECRET, AuthenticateSessionTicketRequest, _authenticate_session_ticket)
