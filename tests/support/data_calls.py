"""Calling custom-data endpoints by route through the official SDK, and checking error envelopes."""

from __future__ import annotations

import asyncio
from typing import Any

from playfab import PlayFabAdminAPI, PlayFabClientAPI, PlayFabServerAPI

from shared.config.settings import load_settings
from shared.features.data_families import FAMILIES, Family, Scope
from shared.services import open_store
from tests.support import sdk
from tests.support.server import Server

APIS = {"Client": PlayFabClientAPI, "Server": PlayFabServerAPI, "Admin": PlayFabAdminAPI}


def call(route: str, request: dict[str, Any] | None = None) -> dict[str, Any]:
    api, name = route.split("/")
    return sdk.call(getattr(APIS[api], name), request)


def error_of(route: str, request: dict[str, Any] | None = None) -> dict[str, Any]:
    """The error envelope a call must fail with."""
    try:
        data = call(route, request)
    except sdk.PlayFabCallError as exc:
        return dict(exc.error)
    raise AssertionError(f"{route} succeeded with {data}")


def assert_error(envelope: dict[str, Any], http: int, name: str, number: int) -> None:
    assert envelope["code"] == http, envelope
    assert envelope["status"] == {400: "BadRequest", 401: "Unauthorized", 404: "NotFound"}[http]
    assert envelope["error"] == name, envelope
    assert envelope["errorCode"] == number
    assert isinstance(envelope["errorMessage"], str) and envelope["errorMessage"]


def family(api_name: str) -> Family:
    return next(f for f in FAMILIES if f.api_name == api_name)


def reader_routes(fam: Family) -> list[str]:
    apis = (["Client"] if fam.client_reads else []) + ["Server"] + (["Admin"] if fam.on_admin else [])
    return [f"{api}/Get{fam.api_name}Data" for api in apis]


def writer_routes(fam: Family) -> list[str]:
    apis = (["Client"] if fam.client_writes else []) + ["Server"] + (["Admin"] if fam.on_admin else [])
    return [f"{api}/Update{fam.api_name}Data" for api in apis]


def target(fam: Family, route: str, playfab_id: str, character_id: str | None) -> dict[str, Any]:
    """The request fields naming whose data a call touches (Client calls act for the logged-in player)."""
    fields: dict[str, Any] = {} if route.startswith("Client/") else {"PlayFabId": playfab_id}
    if fam.scope is Scope.CHARACTER:
        fields["CharacterId"] = character_id
    return fields


def grant_character(playfab_id: str, name: str = "Hero", kind: str = "Knight") -> str:
    data = call("Server/GrantCharacterToUser", {"PlayFabId": playfab_id, "CharacterName": name, "CharacterType": kind})
    return str(data["CharacterId"])


def stored(server: Server, container: str, pk: str, doc_id: str) -> dict[str, Any] | None:
    """A document as the server stored it, read through a store built from the server's own settings."""

    async def read() -> dict[str, Any] | None:
        store = await open_store(load_settings(server.env))
        try:
            doc = await store.read(container, pk, doc_id)
            return doc.body if doc else None
        finally:
            await store.close()

    return asyncio.run(read())
