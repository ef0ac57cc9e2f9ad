"""Every endpoint of the table through both official SDKs, on both stores.

Each row of tests/support/endpoint_requests.py (the authorization matrix's: who calls, one legitimate request,
what it gets) is sent through the official Python SDK (`playfab`) over HTTP and through the official Node SDK
(`playfab-sdk`, one process for all rows) over HTTPS, with the row's credential set the way each SDK holds
it: a session ticket or entity token as a login leaves them, the developer secret key as the title sets it.
The outcome must be the row's: a success whose keys are those of PlayFab's result schema, or the row's
error (HTTP code, name and number). This project's extensions (`ext-` methods) have no SDK method and are
left out. Where an SDK release lacks a method, the endpoint is listed below, the list is checked against the
SDK (so it cannot go stale), and the call goes through the SDK's own transport instead.

Rows share one set of players per SDK and store; a row that deletes, bans or removes what other rows use
gets players of its own.
"""

from __future__ import annotations

import importlib
import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import playfab.PlayFabSettings as settings
import pytest

from shared.auth.caller import Auth
from shared.endpoints import EXTENSION_PREFIX
from shared.wire.error_codes import ERROR_CODES
from tests.support import custom_property_calls, sdk
from tests.support.endpoint_requests import TABLE, Outcome, Row
from tests.support.node_sdk import node_or_fail, run_node_calls
from tests.support.server import REPO, SECRET_KEY, Server
from tests.support.world import Target, new_target

# The URL segment of each API -> the name its SDK module carries (PlayFab<Name>API.py, PlayFab<Name>.js).
SDK_MODULE = {
    "Client": "Client",
    "Server": "Server",
    "Admin": "Admin",
    "Authentication": "Authentication",
    "Object": "Data",
    "Profile": "Profiles",
    "CloudScript": "CloudScript",
    "Event": "Events",
}

# The Python SDK's last release (0.0.201014) predates player custom properties.
PYTHON_SDK_LACKS = frozenset(
    f"/{api}/{method}"
    for api in ("Client", "Server", "Admin")
    for method in (
        "UpdatePlayerCustomProperties",
        "GetPlayerCustomProperty",
        "ListPlayerCustomProperties",
        "DeletePlayerCustomProperties",
    )
)
NODE_SDK_LACKS: frozenset[str] = frozenset()

# Rows that change what other rows rely on (the target's character, group membership or group, its friend's
# account), so each gets a target of its own.
OWN_TARGET = frozenset(
    {
        "/Server/DeleteCharacterFromUser",
        "/Client/AddSharedGroupMembers",
        "/Server/AddSharedGroupMembers",
        "/Client/RemoveSharedGroupMembers",
        "/Server/RemoveSharedGroupMembers",
        "/Server/DeleteSharedGroup",
        "/Admin/BanUsers",
        "/Server/BanUsers",
        "/Admin/DeletePlayer",
        "/Server/DeletePlayer",
    }
)

SWEPT = [path for path in TABLE if not path.split("/")[2].startswith(EXTENSION_PREFIX)]
SCHEMA = json.loads((REPO / "tests" / "api" / "conformance" / "playfab.swagger.json").read_text())


def _split(path: str) -> tuple[str, str]:
    _, api, method = path.split("/")
    return api, method


def _python_module(api: str) -> Any:
    return importlib.import_module(f"playfab.PlayFab{SDK_MODULE[api]}API")


def _result_schema(path: str) -> dict[str, Any]:
    response = SCHEMA["paths"][path]["post"]["responses"]["200"]["$ref"].rsplit("/", 1)[1]
    result = SCHEMA["responses"][response]["schema"]["properties"]["data"]["$ref"].rsplit("/", 1)[1]
    schema: dict[str, Any] = SCHEMA["definitions"][result]
    return schema


def mismatch(path: str, expected: Outcome, ok: bool, answer: Any) -> str | None:
    """Why an SDK's answer is not the row's expected outcome, or None when it is."""
    if expected.error is None:
        if not ok or not isinstance(answer, dict):
            return f"expected success, got {answer!r}"
        schema = _result_schema(path)
        unknown = set(answer) - set(schema.get("properties", {}))
        missing = set(schema.get("required", [])) - set(answer)
        if unknown or missing:
            return f"keys not PlayFab's: unknown {sorted(unknown)}, missing {sorted(missing)}"
        return None
    wanted = (expected.http, expected.error, ERROR_CODES[expected.error])
    got = (answer.get("code"), answer.get("error"), answer.get("errorCode")) if isinstance(answer, dict) else answer
    return None if not ok and got == wanted else f"expected {wanted}, got {answer!r}"


class Targets:
    """One shared target, and a target of its own for each row in OWN_TARGET, made when first asked for."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.shared: Target | None = None

    def for_row(self, path: str) -> Target:
        if path in OWN_TARGET:
            return new_target(self.server)
        if self.shared is None:
            self.shared = new_target(self.server)
        return self.shared


# --- the explicit lists ---------------------------------------------------------------------------------------


def test_the_python_sdk_lacks_exactly_the_listed_methods():
    lacking = {path for path in SWEPT if not hasattr(_python_module(_split(path)[0]), _split(path)[1])}
    assert lacking == PYTHON_SDK_LACKS


def test_the_node_sdk_lacks_exactly_the_listed_methods():
    names = [[path, f"PlayFab{SDK_MODULE[_split(path)[0]]}", _split(path)[1]] for path in SWEPT]
    script = (
        "const sdk = require('playfab-sdk');"
        f"const names = {json.dumps(names)};"
        "console.log(JSON.stringify(names.filter(([, a, m]) => typeof (sdk[a] || {})[m] !== 'function')"
        ".map(([p]) => p)));"
    )
    done = subprocess.run([node_or_fail(), "-e", script], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)) == NODE_SDK_LACKS


# --- the Python SDK -------------------------------------------------------------------------------------------


def python_method(path: str) -> Callable[..., None]:
    api, method = _split(path)
    if path in PYTHON_SDK_LACKS:
        return custom_property_calls.sdk_method(api, method)
    found: Callable[..., None] = getattr(_python_module(api), method)
    return found


def use_python_credential(auth: Auth, target: Target) -> None:
    """The SDK's state as the row's caller would leave it: logged in as the target, or the title's key set."""
    settings.DeveloperSecretKey = SECRET_KEY if auth is Auth.SECRET else None
    if auth is Auth.SESSION:
        sdk.session(target.player.ticket, target.player.entity_token)
    elif auth in (Auth.ENTITY, Auth.ANY):
        sdk.session(None, target.player.entity_token)
    else:
        sdk.session(None, None)


@pytest.fixture(scope="module")
def python_targets(server: Server) -> Targets:
    return Targets(server)


@pytest.mark.parametrize("path", SWEPT)
def test_every_endpoint_through_the_python_sdk(pf: Server, python_targets: Targets, path: str):
    row: Row = TABLE[path]
    target = python_targets.for_row(path)
    use_python_credential(row.auth, target)
    try:
        answer, ok = sdk.call(python_method(path), row.body(target)), True
    except sdk.PlayFabCallError as err:
        answer, ok = err.error, False
    finally:
        sdk.point_at(pf)
    assert mismatch(path, row.legit, ok, answer) is None, mismatch(path, row.legit, ok, answer)


# --- the Node SDK ---------------------------------------------------------------------------------------------


def node_credentials(auth: Auth, target: Target) -> dict[str, str | None]:
    return {
        "sessionTicket": target.player.ticket if auth is Auth.SESSION else None,
        "entityToken": target.player.entity_token if auth in (Auth.SESSION, Auth.ENTITY, Auth.ANY) else None,
        "secretKey": SECRET_KEY if auth is Auth.SECRET else None,
    }


@pytest.fixture(scope="module")
def node_answers(tls_server: Server) -> Iterator[dict[str, dict[str, Any]]]:
    """Every row through one Node process: path -> {"ok", "data" | "error" | "thrown"}."""
    targets = Targets(tls_server)
    calls = []
    for path in SWEPT:
        row, target = TABLE[path], targets.for_row(path)
        api, method = _split(path)
        calls.append(
            {
                "api": f"PlayFab{SDK_MODULE[api]}",
                "method": method,
                "request": row.body(target),
                "credentials": node_credentials(row.auth, target),
            }
        )
    ca: Path = tls_server.extra["ca"]
    answers = run_node_calls(tls_server.url, ca, calls, secret_key=None)
    assert len(answers) == len(SWEPT)
    yield dict(zip(SWEPT, answers, strict=True))


def test_every_endpoint_through_the_node_sdk(node_answers: dict[str, dict[str, Any]]):
    wrong = {}
    for path, answer in node_answers.items():
        ok = bool(answer.get("ok"))
        why = mismatch(path, TABLE[path].legit, ok, answer.get("data") if ok else answer.get("error", answer))
        if why is not None:
            wrong[path] = why
    assert wrong == {}
