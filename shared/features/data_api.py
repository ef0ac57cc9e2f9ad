"""Every custom-data and character endpoint, as a table of Operations built from the family policies.

Client calls act for the player behind the session ticket; Server and Admin calls act for the title on
the `PlayFabId` they name. Other players' reads see only the keys the family lets others see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from shared.auth import accounts
from shared.auth.caller import Auth, Caller
from shared.config.clock import iso, now
from shared.config.rate_windows import CHARACTER_DATA, USER_DATA
from shared.features import characters, custom_data, idempotency, key_history, write_options
from shared.features.data_families import FAMILIES, Family, Scope
from shared.features.key_history import Recorder
from shared.pipeline import Operation
from shared.services import Services
from shared.storage.layout import HISTORY_PLAYER, PLAYERS, history_stream
from shared.wire.validation import (
    ClientGetCharacterDataRequest,
    ClientGetUserDataRequest,
    ClientUpdateCharacterDataRequest,
    ClientUpdateUserDataRequest,
    DataChanges,
    DataQuery,
    GetCharacterDataRequest,
    GetUserDataRequest,
    UpdateCharacterDataRequest,
    UpdateUserDataRequest,
    UpdateUserInternalDataRequest,
)

CLIENT, SERVER, ADMIN = "Client", "Server", "Admin"


@dataclass(frozen=True)
class Owner:
    """Whose data a call touches, and which permissions the caller may see (None: every key)."""

    playfab_id: str
    character_id: str | None
    visible: frozenset[str] | None


async def _owner(services: Services, caller: Caller, family: Family, req: DataChanges | DataQuery) -> Owner:
    # Title models require PlayFabId; client models make it optional (reads) or leave it out (writes).
    playfab_id = getattr(req, "PlayFabId", None) or caller.playfab_id
    assert playfab_id
    other_player = not caller.is_title and playfab_id != caller.playfab_id
    character_id: str | None = getattr(req, "CharacterId", None)
    if family.scope is Scope.CHARACTER:
        assert character_id
        await characters.require(services.store, playfab_id, character_id)
    elif caller.is_title or other_player:
        await accounts.require_account(services.store, playfab_id)
    return Owner(playfab_id, character_id, family.others_see if other_player else None)


def _update_model(family: Family, api: str) -> type[DataChanges]:
    if family.scope is Scope.CHARACTER:
        return ClientUpdateCharacterDataRequest if api == CLIENT else UpdateCharacterDataRequest
    if api == CLIENT:
        return ClientUpdateUserDataRequest
    return UpdateUserDataRequest if family.takes_permission else UpdateUserInternalDataRequest


def _query_model(family: Family, api: str) -> type[DataQuery]:
    if family.scope is Scope.CHARACTER:
        return ClientGetCharacterDataRequest if api == CLIENT else GetCharacterDataRequest
    return ClientGetUserDataRequest if api == CLIENT else GetUserDataRequest


def data_target(family: Family, playfab_id: str, character_id: str | None) -> key_history.Target:
    """A family's document of one player or character, as its key history names it."""
    subject = {"PlayFabId": playfab_id, **({"CharacterId": character_id} if character_id else {})}
    stream = history_stream(HISTORY_PLAYER, playfab_id)
    return key_history.Target(
        name=f"{family.api_name}Data",
        subject=subject,
        container=PLAYERS,
        pk=playfab_id,
        doc_id=family.doc_id(character_id),
        stream=lambda _body: stream,
        values=key_history.records(custom_data.RECORDS),
        keyed=custom_data.RECORDS,
        version=lambda body: int(body["DataVersion"]),
    )


def update_operation(family: Family, api: str) -> Operation[DataChanges]:
    async def update(services: Services, caller: Caller, req: DataChanges) -> dict[str, Any]:
        limits = family.limits(services.settings)
        changes = custom_data.plan(req.Data, req.KeysToRemove, getattr(req, "Permission", None), limits)
        expected = write_options.expected_data_version(req)
        owner = await _owner(services, caller, family, req)
        doc_id = family.doc_id(owner.character_id)
        attempt = idempotency.begin(services, caller, endpoint, req)
        history = Recorder(services, caller, data_target(family, owner.playfab_id, owner.character_id))
        tracked = history.wrap(custom_data.apply(changes, limits, iso(now()), expected), changes.touched)
        mutation = idempotency.wrap(attempt, tracked, custom_data.version_answer)
        # Only the named keys' records are read and written, however many the document holds.
        doc = await services.store.update_part(
            PLAYERS, owner.playfab_id, doc_id, custom_data.RECORDS, changes.touched, mutation
        )
        assert doc is not None  # the mutation always returns a body
        await history.after(doc)
        return idempotency.answer(attempt, lambda: custom_data.version_answer(doc.body))

    endpoint = f"{api}/Update{family.api_name}Data"

    limit = CHARACTER_DATA if family.scope is Scope.CHARACTER else USER_DATA
    return Operation(Auth.SESSION if api == CLIENT else Auth.SECRET, _update_model(family, api), update, limit)


def get_operation(family: Family, api: str) -> Operation[DataQuery]:
    async def get(services: Services, caller: Caller, req: DataQuery) -> dict[str, Any]:
        owner = await _owner(services, caller, family, req)
        doc_id = family.doc_id(owner.character_id)
        result = await custom_data.read(services.store, owner.playfab_id, doc_id, req, owner.visible)
        if owner.character_id:
            result["CharacterId"] = owner.character_id
        if caller.is_title:  # only the Server and Admin results carry PlayFabId
            result["PlayFabId"] = owner.playfab_id
        return result

    return Operation(Auth.SESSION if api == CLIENT else Auth.SECRET, _query_model(family, api), get)


def _family_operations() -> dict[str, Operation[Any]]:
    ops: dict[str, Operation[Any]] = {}
    for family in FAMILIES:
        title_apis = (SERVER, ADMIN) if family.on_admin else (SERVER,)
        for api in (CLIENT, *title_apis):
            if api != CLIENT or family.client_reads:
                ops[f"{api}/Get{family.api_name}Data"] = get_operation(family, api)
            if api != CLIENT or family.client_writes:
                ops[f"{api}/Update{family.api_name}Data"] = update_operation(family, api)
    return ops


# Route -> operation, merged into the endpoint table (shared/endpoints.py).
OPERATIONS: Final[dict[str, Operation[Any]]] = {
    **_family_operations(),
    "Server/GrantCharacterToUser": characters.grant,
    "Client/GrantCharacterToUser": characters.grant_from_item,
    "Server/DeleteCharacterFromUser": characters.delete,
    "Client/GetAllUsersCharacters": characters.list_for_player,
    "Server/GetAllUsersCharacters": characters.list_for_title,
}
