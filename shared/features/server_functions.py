"""Server functions: Python functions a studio writes, run by `CloudScript/ExecuteFunction` and by
`Client/` and `Server/ExecuteCloudScript`.

A studio decorates `async def name(ctx: Context)` functions with `@server_function` in the modules that
`SERVER_FUNCTION_MODULES` names (the `cloudscript` package by default; a package brings every module in
it). The first execution in a process imports them. A function gets its caller, its argument, a log
(`Logs`) and `ctx.server`, which runs this backend's Server, Admin, Object and Profile operations in
process as the title, through the same request models, limits and errors as over HTTP
(`shared.pipeline.run_in_process`); a refused call raises `PlayFabError`, which the function may catch.

Limits: a function runs at most `SERVER_FUNCTION_TIMEOUT_MS`, then it is cancelled; it may make
`SERVER_FUNCTION_MAX_API_CALLS` calls; its argument, result and logs are bounded. A call the function
started is shielded from the cancellation, so a store write either completes or never starts, and the
answer waits for it; after the deadline no new call starts. A function that blocks the event loop
(`time.sleep`, heavy computation) cannot be interrupted: it holds its worker until it returns, then its
result is dropped and the answer is the time-limit error. One that catches the cancellation and carries
on is given a second to unwind, then left behind: it can start no API call any more.

What leaves for the caller on a failure is PlayFab's `Error`: an error name, the exception's type and
text, and a stack trace made of the function's own frames only (paths relative to the project, never a
frame of this backend or the standard library).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import logging
import pkgutil
import sys
import time
import traceback
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar, overload

from shared.auth.accounts import require_account
from shared.auth.caller import ENTITY_TITLE, ENTITY_TITLE_PLAYER, Auth, Caller
from shared.auth.entities import Entity, named, require_profile
from shared.auth.tokens import ENTITY_TOKEN
from shared.config.settings import Settings
from shared.features import idempotency, playstream
from shared.features.custom_data import utf16_units
from shared.pipeline import Operation, run_in_process
from shared.services import Services
from shared.storage.layout import ENTITIES, FUNCTION_RUNS_DOC
from shared.wire.errors import PlayFabError
from shared.wire.validation import (
    ExecuteCloudScriptRequest,
    ExecuteCloudScriptServerRequest,
    ExecuteFunctionRequest,
)

__all__ = ["Context", "FunctionLog", "PlayFabError", "ServerApi", "server_function"]

log = logging.getLogger("playfab.server_functions")

Handler = Callable[["Context"], Coroutine[Any, Any, Any]]
F = TypeVar("F", bound=Handler)

# PlayFab reports the revision of the CloudScript that ran; here the deployed code is the one revision.
REVISION: Final = 1
MAX_NAME_CHARS: Final = 128  # longest FunctionName (UTF-16 code units)
# How long a stopped function may take to unwind (its `finally` blocks) before it is abandoned.
UNWIND_SECONDS: Final = 1.0
# The APIs a function's client may call: those the title's secret key or entity token opens.
IN_PROCESS_AUTH: Final = (Auth.SECRET, Auth.ENTITY)
EXECUTE_CALLS: Final = frozenset(
    {"CloudScript/ExecuteFunction", "Client/ExecuteCloudScript", "Server/ExecuteCloudScript"}
)


@dataclass(frozen=True)
class ServerFunction:
    name: str
    handler: Handler


_REGISTRY: dict[str, ServerFunction] = {}
_LOADED: set[str] = set()
# Source file of every module loaded from SERVER_FUNCTION_MODULES -> the path a stack trace shows.
_SOURCES: dict[str, str] = {}


@overload
def server_function(fn: F, /) -> F: ...
@overload
def server_function(*, name: str | None = None) -> Callable[[F], F]: ...
def server_function(fn: F | None = None, /, *, name: str | None = None) -> F | Callable[[F], F]:
    """Register `async def f(ctx)` as the server function `name` (its own name unless given)."""

    def register(handler: F) -> F:
        if not inspect.iscoroutinefunction(handler):
            raise TypeError(f"server function {handler.__qualname__} must be an `async def`")
        key = name or handler.__name__
        if not key or utf16_units(key) > MAX_NAME_CHARS:
            raise ValueError(f"a server function's name has 1 to {MAX_NAME_CHARS} characters: {key!r}")
        known = _REGISTRY.get(key)
        if known is not None and _origin(known.handler) != _origin(handler):
            raise ValueError(f"two server functions are named {key!r}")
        _REGISTRY[key] = ServerFunction(key, handler)
        return handler

    if fn is not None:
        return register(fn)
    return register


def _origin(handler: Handler) -> tuple[str, str]:
    return handler.__module__, handler.__qualname__


def load(modules: tuple[str, ...]) -> None:
    """Import the function modules (each package with every module in it), once per process."""
    for name in modules:
        if name in _LOADED:
            continue
        module = importlib.import_module(name)
        found = [module]
        if hasattr(module, "__path__"):
            found += [importlib.import_module(info.name) for info in pkgutil.walk_packages(module.__path__, name + ".")]
        top = importlib.import_module(name.partition(".")[0])
        top_file = Path(top.__file__ or ".").resolve()
        base = top_file.parent.parent if top_file.name == "__init__.py" else top_file.parent
        for each in found:
            if each.__file__:
                source = Path(each.__file__).resolve()
                _SOURCES[str(source)] = source.relative_to(base).as_posix()
        _LOADED.add(name)


def find(settings: Settings, name: str) -> ServerFunction | None:
    load(settings.server_function_modules)
    return _REGISTRY.get(name)


# The function's side: its log, its API client, its context.


class FunctionLog:
    """What the function logs, returned as `Logs` by ExecuteCloudScript, up to a size."""

    def __init__(self, max_bytes: int) -> None:
        self.entries: list[dict[str, Any]] = []
        self.too_large = False
        self._room = max_bytes

    def debug(self, message: Any, data: Any = None) -> None:
        self._add("Debug", message, data)

    def info(self, message: Any, data: Any = None) -> None:
        self._add("Info", message, data)

    def error(self, message: Any, data: Any = None) -> None:
        self._add("Error", message, data)

    def _add(self, level: str, message: Any, data: Any) -> None:
        if self.too_large:
            return
        entry: dict[str, Any] = {"Level": level, "Message": str(message)}
        if data is not None:
            entry["Data"] = _as_json(data)
        size = len(json.dumps(entry, ensure_ascii=False).encode("utf-8"))
        if size > self._room:
            self.too_large = True  # later entries are dropped too, so the kept ones stay in order
            return
        self._room -= size
        self.entries.append(entry)


def _as_json(value: Any) -> Any:
    """A JSON copy of `value`; its text when it is not JSON."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except (TypeError, ValueError, RecursionError):
        return str(value)


class ServerApi:
    """This backend's Server, Admin, Object and Profile operations, in process, acting as the title.

    `await ctx.server.call("Server/UpdateUserReadOnlyData", {...})` returns what the HTTP call's `data`
    would hold, or raises the `PlayFabError` it would answer with.
    """

    def __init__(
        self,
        services: Services,
        operations: Callable[[], Mapping[str, Operation[Any]]],
        deadline: float,
    ) -> None:
        self._services = services
        self._operations = operations
        self._deadline = deadline  # on the event loop's clock
        self._max_calls = services.settings.server_function_max_api_calls
        self._closed = False
        self._running: set[asyncio.Task[dict[str, Any]]] = set()
        self.calls_issued = 0
        self.count_exceeded = False

    async def call(self, api: str, request: Mapping[str, Any] | None = None) -> dict[str, Any]:
        name = api.strip("/")
        loop = asyncio.get_running_loop()
        if self._closed or loop.time() >= self._deadline:
            raise asyncio.CancelledError  # the function is being stopped: nothing new starts
        op = self._operations().get(name)
        if op is None or op.auth not in IN_PROCESS_AUTH or name in EXECUTE_CALLS:
            raise PlayFabError(
                "InvalidAPIEndpoint",
                f"{name} is not an API a server function may call (Server, Admin, Object and Profile).",
            )
        if self.calls_issued >= self._max_calls:
            self.count_exceeded = True
            raise PlayFabError(
                "CloudScriptAPIRequestCountExceeded",
                f"A server function may make at most {self._max_calls} API calls per execution.",
            )
        self.calls_issued += 1
        settings = self._services.settings
        caller = Caller(
            is_title=True,
            entity_type=ENTITY_TITLE,
            entity_id=settings.title_id,
            token=ENTITY_TOKEN if op.auth is Auth.ENTITY else None,
        )
        task = loop.create_task(run_in_process(op, caller, dict(request or {}), self._services))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        # Shielded: stopping the function never stops a call half-way; the answer waits for it (drain).
        return await asyncio.shield(task)

    def close(self) -> None:
        self._closed = True

    async def drain(self) -> None:
        """Wait for every call the function started, then swallow their outcomes (the function's own)."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)


@dataclass
class Context:
    """What a server function receives."""

    function_name: str
    argument: Any  # FunctionParameter, as sent (None when absent)
    playfab_id: str | None  # the player it runs for (None: the title's own entity, through ExecuteFunction)
    entity: dict[str, str] | None  # {"Id": ..., "Type": ...}: the entity it runs for
    title_id: str
    log: FunctionLog
    server: ServerApi


# Running one function.


@dataclass
class Failure:
    kind: str  # "exception", "api_error", "count", "timeout", "result"
    message: str
    stack: str | None = None


@dataclass
class Outcome:
    seconds: float
    result: Any = None
    result_bytes: int | None = None
    result_too_large: bool = False
    failure: Failure | None = None
    api_calls: int = 0
    logs: FunctionLog = field(default_factory=lambda: FunctionLog(0))


def _stack(exc: BaseException) -> str:
    """The exception, then the function modules' own frames, innermost first (as a JavaScript stack reads)."""
    lines = [f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__]
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        shown = _SOURCES.get(str(Path(frame.filename).resolve()))
        if shown is not None:
            lines.append(f"    at {frame.name} ({shown}:{frame.lineno})")
    return "\n".join(lines)


class _Exited(Exception):
    """A function's SystemExit or KeyboardInterrupt, carried as an ordinary failure: asyncio would let
    either escape its task and stop the worker's event loop."""

    def __init__(self, original: BaseException) -> None:
        super().__init__()
        self.original = original


async def _guarded(handler: Handler, ctx: Context) -> Any:
    try:
        return await handler(ctx)
    except (SystemExit, KeyboardInterrupt) as exc:
        raise _Exited(exc) from None


def _failure(exc: BaseException, count_exceeded: bool) -> Failure:
    if isinstance(exc, _Exited):
        exc = exc.original
    if isinstance(exc, PlayFabError):
        if count_exceeded and exc.name == "CloudScriptAPIRequestCountExceeded":
            return Failure("count", exc.message, _stack(exc))
        return Failure("api_error", f"{exc.name}: {exc.message}", _stack(exc))
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return Failure("exception", text, _stack(exc))


async def run_function(
    services: Services,
    function: ServerFunction,
    operations: Callable[[], Mapping[str, Operation[Any]]],
    argument: Any,
    playfab_id: str | None,
    entity: Entity | None,
) -> Outcome:
    settings = services.settings
    limit = settings.server_function_timeout_ms / 1000
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    api = ServerApi(services, operations, loop.time() + limit)
    logs = FunctionLog(settings.server_function_max_log_bytes)
    ctx = Context(
        function.name,
        _as_json(argument) if argument is not None else None,
        playfab_id,
        entity.key() if entity else None,
        settings.title_id,
        logs,
        api,
    )
    task: asyncio.Task[Any] = loop.create_task(_guarded(function.handler, ctx))
    failure: Failure | None = None
    stopped = False
    try:
        done, _ = await asyncio.wait({task}, timeout=limit)
        if not done:
            stopped = True
            api.close()
            task.cancel()
            await asyncio.wait({task}, timeout=UNWIND_SECONDS)  # one that ignores the cancel is abandoned
    finally:
        api.close()
        if not task.done():
            task.cancel()  # the request itself was cancelled, or the function would not stop
        await api.drain()  # the calls it started complete before anything answers
    seconds = time.perf_counter() - started
    if stopped:
        # Stopped by the limit, so it ran at least that long: uvloop's timers count whole milliseconds
        # and may fire a fraction of one before the clock read here reaches the limit.
        seconds = max(seconds, limit)
    outcome = Outcome(seconds, api_calls=api.calls_issued, logs=logs)
    if not task.done() or task.cancelled() or seconds > limit:
        # Past the limit, even when it returned: a function that blocked the loop returns late.
        failure = Failure("timeout", f"The function ran longer than {settings.server_function_timeout_ms} ms.")
    elif (exc := task.exception()) is not None:
        failure = _failure(exc, api.count_exceeded)
    else:
        _set_result(outcome, task.result(), settings.server_function_max_result_bytes)
    if failure is not None:
        outcome.failure = failure
    if outcome.failure is not None:
        # For the operator: which function failed and how; its message and data stay with the caller.
        log.warning("server function %s failed: %s", function.name, outcome.failure.kind)
    return outcome


def _set_result(outcome: Outcome, value: Any, max_bytes: int) -> None:
    if value is None:
        return
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        outcome.failure = Failure("result", f"The function's result is not JSON: {type(exc).__name__}: {exc}")
        return
    size = len(text.encode("utf-8"))
    outcome.result_bytes = size
    if size > max_bytes:
        outcome.result_too_large = True
        return
    outcome.result = json.loads(text)


# How each API names a failure in its `Error`.
_LEGACY_ERRORS: Final = {
    "exception": "JavascriptException",
    "result": "JavascriptException",
    "api_error": "CloudScriptAPIRequestError",
    "count": "CloudScriptAPIRequestCountExceeded",
    "timeout": "CloudScriptExecutionTimeLimitExceeded",
    "not_found": "CloudScriptNotFound",
}
_FUNCTION_ERRORS: Final = {
    "exception": "CloudScriptAzureFunctionsHTTPRequestError",
    "result": "CloudScriptAzureFunctionsHTTPRequestError",
    "api_error": "CloudScriptAzureFunctionsHTTPRequestError",
    "count": "CloudScriptAPIRequestCountExceeded",
    "timeout": "CloudScriptAzureFunctionsExecutionTimeLimitExceeded",
}


def _error(failure: Failure, names: Mapping[str, str]) -> dict[str, Any]:
    error: dict[str, Any] = {"Error": names[failure.kind], "Message": failure.message}
    if failure.stack is not None:
        error["StackTrace"] = failure.stack
    return error


def legacy_result(name: str, outcome: Outcome) -> dict[str, Any]:
    """ExecuteCloudScriptResult."""
    data: dict[str, Any] = {"FunctionName": name, "Revision": REVISION}
    if outcome.result is not None:
        data["FunctionResult"] = outcome.result
    if outcome.result_too_large:
        data["FunctionResultTooLarge"] = True
    data["Logs"] = outcome.logs.entries
    if outcome.logs.too_large:
        data["LogsTooLarge"] = True
    data |= {
        "ExecutionTimeSeconds": outcome.seconds,
        "ProcessorTimeSeconds": 0.0,
        "MemoryConsumedBytes": 0,
        "APIRequestsIssued": outcome.api_calls,
        "HttpRequestsIssued": 0,
    }
    if outcome.failure is not None:
        data["Error"] = _error(outcome.failure, _LEGACY_ERRORS)
    return data


def function_result(name: str, outcome: Outcome) -> dict[str, Any]:
    """ExecuteFunctionResult."""
    data: dict[str, Any] = {"FunctionName": name}
    if outcome.result is not None:
        data["FunctionResult"] = outcome.result
    if outcome.result_bytes is not None:
        data["FunctionResultSize"] = outcome.result_bytes
    failure = outcome.failure
    if outcome.result_too_large:
        data["FunctionResultTooLarge"] = True
        failure = Failure("too_large", f"The function's result is {outcome.result_bytes} bytes, over the limit.")
    data["ExecutionTimeMilliseconds"] = round(outcome.seconds * 1000)
    if failure is not None:
        data["Error"] = _error(
            failure, {**_FUNCTION_ERRORS, "too_large": "CloudScriptAzureFunctionsReturnSizeExceeded"}
        )
    return data


def _argument_size(argument: Any) -> int:
    try:
        return len(json.dumps(argument, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    except RecursionError:  # nested deeper than JSON text can be written back: larger than any limit
        return sys.maxsize


def _check_call(settings: Settings, name: str, argument: Any, too_large: str) -> None:
    if utf16_units(name) > MAX_NAME_CHARS:
        raise PlayFabError(
            "CloudScriptFunctionNameSizeExceeded",
            f"Function names are limited to {MAX_NAME_CHARS} characters.",
            {"FunctionName": [f"{utf16_units(name)} characters"]},
        )
    size = _argument_size(argument)
    if size > settings.server_function_max_argument_bytes:
        raise PlayFabError(
            too_large,
            f"The function's argument is {size} bytes; the limit is {settings.server_function_max_argument_bytes}.",
            {"FunctionParameter": [f"{size} bytes"]},
        )


def _not_found(name: str) -> PlayFabError:
    return PlayFabError("CloudScriptNotFound", f"No server function named {name!r} was found to execute.")


class Engine:
    """The three execute operations, over one registry; `operations` is the endpoint table's, read late."""

    def __init__(self, operations: Callable[[], Mapping[str, Operation[Any]]]) -> None:
        self._operations = operations
        self.execute_function = Operation(Auth.ENTITY, ExecuteFunctionRequest, self._execute_function)
        self.client_execute_cloud_script = Operation(Auth.SESSION, ExecuteCloudScriptRequest, self._client_execute)
        self.server_execute_cloud_script = Operation(Auth.SECRET, ExecuteCloudScriptServerRequest, self._server_execute)

    async def _execute_function(
        self, services: Services, caller: Caller, req: ExecuteFunctionRequest
    ) -> dict[str, Any]:
        settings = services.settings
        _check_call(settings, req.FunctionName, req.FunctionParameter, "CloudScriptAzureFunctionsArgumentSizeExceeded")
        entity = named(req.Entity, caller)
        own = (entity.type, entity.id) == (caller.entity_type, caller.entity_id)
        if not own and not caller.is_title:
            raise PlayFabError(
                "NotAuthorized",
                f"The caller may not execute functions as {entity.type} {entity.id}.",
                {"Entity": ["not the caller's own entity"]},
                http_status=403,
            )
        playfab_id = caller.playfab_id if own else None
        if not own or caller.is_title:
            profile = await require_profile(services.store, settings, entity)
            playfab_id = profile.get("PlayFabId")
        function = find(settings, req.FunctionName)
        if function is None:
            raise _not_found(req.FunctionName)

        async def run() -> dict[str, Any]:
            assert function is not None
            outcome = await run_function(
                services, function, self._operations, req.FunctionParameter, playfab_id, entity
            )
            if req.GeneratePlayStreamEvent:
                result = legacy_result(function.name, outcome)
                body = {"FunctionName": function.name, "CloudScriptExecutionResult": result}
                await playstream.record(
                    services,
                    name="entity_executed_cloud_script",
                    entity_type=entity.type,
                    entity_id=entity.id,
                    body=body,
                )
            return function_result(function.name, outcome)

        attempt = idempotency.begin(services, caller, "CloudScript/ExecuteFunction", req)
        return await idempotency.run_once(services, attempt, _runs_doc(entity), _lease(settings), run)

    async def _client_execute(
        self, services: Services, caller: Caller, req: ExecuteCloudScriptRequest
    ) -> dict[str, Any]:
        assert caller.playfab_id and caller.entity_id
        entity = Entity(ENTITY_TITLE_PLAYER, caller.entity_id)
        attempt = idempotency.begin(services, caller, "Client/ExecuteCloudScript", req)
        return await self._execute_legacy(services, req, caller.playfab_id, entity, attempt)

    async def _server_execute(
        self, services: Services, caller: Caller, req: ExecuteCloudScriptServerRequest
    ) -> dict[str, Any]:
        account = await require_account(services.store, req.PlayFabId)
        entity = Entity(ENTITY_TITLE_PLAYER, account["TitlePlayerAccountId"])
        attempt = idempotency.begin(services, caller, "Server/ExecuteCloudScript", req)
        return await self._execute_legacy(services, req, req.PlayFabId, entity, attempt)

    async def _execute_legacy(
        self,
        services: Services,
        req: ExecuteCloudScriptRequest,
        playfab_id: str,
        entity: Entity,
        attempt: idempotency.Attempt | None,
    ) -> dict[str, Any]:
        settings = services.settings
        _check_call(settings, req.FunctionName, req.FunctionParameter, "CloudScriptFunctionArgumentSizeExceeded")
        function = find(settings, req.FunctionName)
        if function is None:
            # PlayFab answers an unknown function inside the result, like any failed execution.
            failed = Outcome(0.0, failure=Failure("not_found", _not_found(req.FunctionName).message))
            return legacy_result(req.FunctionName, failed)

        async def run() -> dict[str, Any]:
            assert function is not None
            outcome = await run_function(
                services, function, self._operations, req.FunctionParameter, playfab_id, entity
            )
            data = legacy_result(function.name, outcome)
            if req.GeneratePlayStreamEvent:
                body = {"FunctionName": function.name, "CloudScriptExecutionResult": data, "TitleId": settings.title_id}
                await playstream.record(
                    services, name="player_executed_cloudscript", entity_type="player", entity_id=playfab_id, body=body
                )
            return data

        return await idempotency.run_once(services, attempt, _runs_doc(entity), _lease(settings), run)


def _runs_doc(entity: Entity) -> tuple[str, str, str]:
    return ENTITIES, entity.pk, FUNCTION_RUNS_DOC


def _lease(settings: Settings) -> float:
    # The function's deadline, and as long again for its API calls to finish and its answer to be kept.
    return 2 * settings.server_function_timeout_ms / 1000
