"""Cosmos DB answers that are about the account, not the document: a missing container, a refused
credential, a missing role. Each becomes StoreUnavailable (503 to callers) whose message tells an
operator what to fix, never "not found" or a bare 500.

Also what opening the store checks before the first request: a usable key, and a bound on how long
connecting may take against an endpoint that accepts connections and never answers.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Final

from azure.cosmos import exceptions

from shared.storage.base import StoreUnavailable

# Cosmos DB's sub-status for "the owner resource (container or database) does not exist".
OWNER_MISSING: Final = 1003
# How long opening the store (database and container checks) may take in all before start-up gives up.
OPEN_TIMEOUT_SECONDS: Final = 8.0
# Role assignments take minutes to reach the data plane after a first deploy: callers are told to
# come back later rather than hammer a denied account.
FORBIDDEN_RETRY_SECONDS: Final = 30
# Containers the app creates itself (with a key) index nothing, as infra/modules/database.bicep
# creates them: every access is a point operation by id and partition key, which needs no index.
INDEXING_POLICY: Final[dict[str, Any]] = {
    "indexingMode": "consistent",
    "automatic": True,
    "includedPaths": [],
    "excludedPaths": [{"path": "/*"}],
}

# The event log is read by query within one stream, newest first: the paths its queries filter and sort
# on (the stream, a batch's sequence and expiry) are indexed, nothing else.
EVENTS_INDEXED_PATHS: Final = ("/pk/?", "/body/s/?", "/body/x/?")
EVENTS_INDEXING_POLICY: Final[dict[str, Any]] = {
    "indexingMode": "consistent",
    "automatic": True,
    "includedPaths": [{"path": path} for path in EVENTS_INDEXED_PATHS],
    "excludedPaths": [{"path": "/*"}],
}


def key_problem(key: str) -> str | None:
    """Why COSMOS_KEY cannot sign requests, or None. The SDK would fail on every request instead."""
    try:
        base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        return "COSMOS_KEY is not valid base64: copy the account's primary or secondary key exactly"
    return None


def _failed_path(err: exceptions.CosmosHttpResponseError) -> str:
    request = getattr(getattr(err, "response", None), "request", None)
    return str(getattr(request, "url", "") or "")


def missing_owner(err: exceptions.CosmosHttpResponseError) -> bool:
    """A 404 about the container or database, not the item: sub-status 1003, or a 404 for a request
    that was not for an item (the SDK reads a container's properties before its first item request)."""
    if err.status_code != 404:
        return False
    if err.sub_status == OWNER_MISSING:
        return True
    path = _failed_path(err)
    return bool(path) and "/docs" not in path


class AccountFault(StoreUnavailable):
    """Cosmos DB refused the call outright (no container, no credential, no role): nothing was written."""


def account_fault(where: str, err: exceptions.CosmosHttpResponseError) -> StoreUnavailable | None:
    """StoreUnavailable naming the cause for answers about the account, or None for any other answer."""
    if missing_owner(err):
        return AccountFault(
            f"{where}: Cosmos DB answered 404/{err.sub_status or 0}: the container or its database does not "
            "exist (deleted?); requests fail until it is back (deploy infra/, or restore it)",
            retry_after_seconds=5,
        )
    if err.status_code == 401:
        return AccountFault(
            f"{where}: Cosmos DB answered 401: it refused the credential; check COSMOS_KEY (or, without a key, "
            "the managed identity's token)",
            retry_after_seconds=FORBIDDEN_RETRY_SECONDS,
        )
    if err.status_code == 403:
        return AccountFault(
            f"{where}: Cosmos DB answered 403/{err.sub_status or 0}: the identity may not use the data plane; "
            "grant it the Cosmos DB Built-in Data Contributor role (a new assignment takes minutes to apply)",
            retry_after_seconds=FORBIDDEN_RETRY_SECONDS,
        )
    return None
