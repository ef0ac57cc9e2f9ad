"""Cosmos DB (NoSQL API) adapter: point reads and writes by id and partition key, conditional on etags.

Every container's partition key path is /pk. An item is {"id", "pk", "body"}: the caller's document
sits under "body", so its keys can never collide with Cosmos's own (id, _etag, _ts, ...).
update() is BaseStore's etag read/replace loop: an uncontended update costs two round trips, one
when this process wrote the (small) document last (cosmos_recent.py). A process's updates of one
document take turns (cosmos_queue.py), so only other processes make the loop retry.
Every create and replace carries a write id (shared/storage/write_ids.py), so a write whose answer
was lost and that the SDK sent again is recognised as ours rather than taken for a rival's.
Transactional batch and patch are deliberately not used (see README: emulator gaps).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any, Final, TypeVar

from azure.core import MatchConditions
from azure.core.exceptions import AzureError
from azure.cosmos import PartitionKey, exceptions
from azure.cosmos.aio import ContainerProxy, CosmosClient

from shared.config.settings import Settings
from shared.storage.base import (
    BaseStore,
    Conflict,
    Document,
    DocumentTooLarge,
    EventBatch,
    Mutation,
    NotFound,
    PreconditionFailed,
    Ranking,
    RankKey,
    StoreError,
    StoreUnavailable,
    check_rank_value,
    check_rank_window,
    encode,
    new_sequence,
)
from shared.storage.call_gate import CallGate, NoTurn
from shared.storage.cosmos_health import (
    EVENTS_INDEXING_POLICY,
    INDEXING_POLICY,
    OPEN_TIMEOUT_SECONDS,
    AccountFault,
    account_fault,
    key_problem,
    missing_owner,
)
from shared.storage.cosmos_queue import DocumentQueue
from shared.storage.cosmos_ranks import (
    AFTER_KEYS_QUERY,
    AHEAD_QUERY,
    AHEAD_ROWS_QUERY,
    COUNT_QUERY,
    FIRST_KEYS_QUERY,
    FROM_ROWS_QUERY,
    PAGE_ITEMS,
    RANGE_QUERY,
    RANK_INDEXING_POLICY,
    entry,
    parameters,
)
from shared.storage.cosmos_recent import RecentDocuments
from shared.storage.layout import CONTAINERS, EVENTS, RANKS
from shared.storage.write_ids import FIELD as WRITE_IDS
from shared.storage.write_ids import WriteHistory, landed, new_write_id

T = TypeVar("T")
_UNSETTLED: Final = object()

# The document containers, then the leaderboard indexes' container, which indexes its ordering paths.
ALL_CONTAINERS: Final = (*CONTAINERS, RANKS)
INDEXING_POLICIES: Final[dict[str, dict[str, Any]]] = {RANKS: RANK_INDEXING_POLICY}

PARTITION_KEY_PATH: Final = "/pk"
# A throttled call is retried by the SDK this often, within the call's budget, before the caller
# gets DatabaseThroughputExceeded with the service's retry hint: a game client can back off better
# than a request held open.
THROTTLE_RETRIES: Final = 3
# Timeouts and the bound on waiting callers come from settings (COSMOS_*_TIMEOUT_SECONDS,
# COSMOS_MAX_CALLS, COSMOS_QUEUE_WAIT_MS); these are the defaults for a store built without them.
OPERATION_TIMEOUT_SECONDS: Final = 3
REQUEST_TIMEOUT_SECONDS: Final = 1
MAX_CALLS: Final = 100
QUEUE_WAIT_SECONDS: Final = 0.5
# Connection failures are retried by the SDK this often, within the operation timeout.
CONNECTION_RETRIES: Final = 3
# The SDK logs every request at INFO with its headers, partition keys (player ids, login identities)
# included. Its own logger is kept at WARNING; set it to INFO to trace Cosmos DB traffic.
HTTP_LOG: Final = logging.getLogger("playfab.cosmos.http")
HTTP_LOG.setLevel(logging.WARNING)
# Cosmos DB refuses these in an id; they are escaped so every id the interface accepts is storable.
_ID_ESCAPES: Final = {"%": "%25", "/": "%2F", "\\": "%5C", "?": "%3F", "#": "%23"}


def cosmos_id(id: str) -> str:
    return "".join(_ID_ESCAPES.get(ch, ch) for ch in id)


def _retry_after_seconds(err: exceptions.CosmosHttpResponseError) -> float | None:
    headers = err.headers or {}
    raw = headers.get("x-ms-retry-after-ms")
    try:
        return float(raw) / 1000 if raw is not None else None
    except ValueError:
        return None


@contextmanager
def _faults(where: str) -> Iterator[None]:
    """Turn the SDK's exceptions (raised after its own retry policies) into the storage errors."""
    try:
        yield
    except exceptions.CosmosResourceExistsError as err:
        raise Conflict(where) from err
    except exceptions.CosmosResourceNotFoundError as err:
        if missing_owner(err):  # the container is gone, not the item: never "not found"
            raise account_fault(where, err) or StoreUnavailable(where) from err
        raise NotFound(where) from err
    except exceptions.CosmosAccessConditionFailedError as err:
        raise PreconditionFailed(where) from err
    except exceptions.CosmosHttpResponseError as err:
        fault = account_fault(where, err)  # 401, 403: the credential or its role
        if fault is not None:
            raise fault from err
        if err.status_code == 429:
            raise StoreUnavailable(
                f"{where}: throttled", throttled=True, retry_after_seconds=_retry_after_seconds(err)
            ) from err
        if err.status_code == 413:
            raise DocumentTooLarge(where) from err
        if err.status_code is None or err.status_code == 408 or err.status_code >= 500:
            raise StoreUnavailable(f"{where}: Cosmos DB answered {err.status_code}") from err
        raise
    except AzureError as err:  # timeouts and connection failures carry no status
        raise StoreUnavailable(f"{where}: {type(err).__name__}: {err}") from err
    except TimeoutError as err:
        raise StoreUnavailable(f"{where}: timed out") from err


class CosmosStore(BaseStore):
    def __init__(
        self,
        client: CosmosClient,
        containers: dict[str, ContainerProxy],
        credential: Any = None,
        *,
        gate: CallGate | None = None,
        operation_timeout: float = OPERATION_TIMEOUT_SECONDS,
        check_timeout: float = REQUEST_TIMEOUT_SECONDS,
    ) -> None:
        self._client = client
        self._containers = containers
        self._credential = credential
        self._gate = gate or CallGate(MAX_CALLS, QUEUE_WAIT_SECONDS)
        # Bulk reads (a page of profiles) take at most half the gate's slots, however many keys they
        # hold: thousands of reads queued at once would wait out the gate and fail, and would starve
        # every other request of this process meanwhile.
        self._bulk = asyncio.Semaphore(max(1, self._gate.limit // 2))
        self._timeout = operation_timeout
        self._check_timeout = check_timeout  # the read-back after an unknown outcome
        self._writes = WriteHistory()
        self._queue = DocumentQueue()
        self._recent = RecentDocuments()

    def _item_args(self, container: str, pk: str, id: str) -> tuple[ContainerProxy, str, str]:
        return self._containers[container], cosmos_id(id), f"{container}/{pk}/{id}"

    async def read(self, container: str, pk: str, id: str) -> Document | None:
        item = await self._read_item(container, pk, id, self._timeout)
        return None if item is None else Document(item["body"], item["_etag"])

    async def _read_item(self, container: str, pk: str, id: str, timeout: float) -> dict[str, Any] | None:
        proxy, item_id, where = self._item_args(container, pk, id)
        try:
            async with self._gate.turn(where):
                with _faults(where):
                    item: dict[str, Any] = await proxy.read_item(item_id, partition_key=pk, timeout=timeout)
        except NotFound:
            return None
        self._writes.seen(where, item["_etag"], item)
        return item

    async def create(self, container: str, pk: str, id: str, body: dict[str, Any]) -> Document:
        proxy, item_id, where = self._item_args(container, pk, id)
        text, ids = encode(body), [new_write_id()]
        try:
            async with self._gate.turn(where):
                with _faults(where):
                    result = await proxy.create_item(
                        {"id": item_id, "pk": pk, "body": body, WRITE_IDS: ids}, timeout=self._timeout
                    )
        except (Conflict, StoreUnavailable) as err:
            return await self._own_write(container, pk, id, ids[-1], err)
        return self._written(where, text, ids, result.get_response_headers())

    async def replace(self, container: str, pk: str, id: str, body: dict[str, Any], etag: str) -> Document:
        proxy, item_id, where = self._item_args(container, pk, id)
        text, ids = encode(body), self._writes.ids_after(where, etag, new_write_id())
        try:
            async with self._gate.turn(where):
                with _faults(where):
                    result = await proxy.replace_item(
                        item_id,
                        {"id": item_id, "pk": pk, "body": body, WRITE_IDS: ids},
                        etag=etag,
                        match_condition=MatchConditions.IfNotModified,
                        timeout=self._timeout,
                    )
        except (PreconditionFailed, StoreUnavailable) as err:
            return await self._own_write(container, pk, id, ids[-1], err)
        return self._written(where, text, ids, result.get_response_headers())

    def _written(self, where: str, text: str, ids: list[str], headers: Mapping[str, str]) -> Document:
        # Writes ask for no response body; the new etag comes back as a header.
        doc = Document(json.loads(text), headers["etag"])
        self._writes.wrote(where, doc.etag, ids)
        return doc

    async def _own_write(self, container: str, pk: str, id: str, write_id: str, err: StoreError) -> Document:
        """After a conflict or an unknown outcome: the stored document, if it holds this write; else err.

        A 409 or 412 may be the SDK's second attempt meeting its own first one, whose answer was lost;
        a timeout or 5xx may hide a write that landed. A throttled call, one never sent and one refused
        outright (no container, credential or role) wrote nothing.
        """
        if isinstance(err, NoTurn | AccountFault) or (isinstance(err, StoreUnavailable) and err.throttled):
            raise err
        try:
            item = await self._read_item(container, pk, id, self._check_timeout)
        except StoreError:
            raise err from None
        if item is None or not landed(item, write_id):
            raise err
        return Document(item["body"], item["_etag"])

    async def delete(self, container: str, pk: str, id: str, etag: str | None = None) -> None:
        proxy, item_id, where = self._item_args(container, pk, id)
        condition: dict[str, Any] = (
            {"etag": etag, "match_condition": MatchConditions.IfNotModified} if etag is not None else {}
        )
        async with self._gate.turn(where):
            with _faults(where):
                await proxy.delete_item(item_id, partition_key=pk, timeout=self._timeout, **condition)

    async def update(self, container: str, pk: str, id: str, mutation: Mutation) -> Document | None:
        # This process's updates of one document take turns, so they never race each other's etags.
        address = f"{container}/{pk}/{id}"
        async with self._queue.turn(address):
            try:
                written = await self._update_remembered(container, pk, id, address, mutation)
                doc = written if written is not _UNSETTLED else await super().update(container, pk, id, mutation)
            except BaseException:
                self._recent.forget(address)
                raise
            self._recent.remember(address, doc if isinstance(doc, Document) else None)
            return doc if isinstance(doc, Document) else None

    async def _update_remembered(
        self, container: str, pk: str, id: str, address: str, mutation: Mutation
    ) -> Document | object:
        """One conditional replace on the body this process last wrote, skipping the read; _UNSETTLED
        when there is none, or the mutation would not write on it, or another writer got there since."""
        remembered = self._recent.get(address)
        if remembered is None:
            return _UNSETTLED
        try:
            result = mutation(remembered.body)
        except Exception:  # a refusal decided on a guess is not trusted: decide again on a fresh read
            return _UNSETTLED
        if not isinstance(result, dict):  # no change, or a delete: decided on a fresh read too
            return _UNSETTLED
        try:
            return await self.replace(container, pk, id, result, remembered.etag)
        except (PreconditionFailed, NotFound, DocumentTooLarge):  # too large, maybe only on the guess
            self._recent.forget(address)
            return _UNSETTLED

    # The event log: a batch is one item per stream it touches (nearly always one), created like any
    # document (write ids included). A batch touching several streams is written in two steps: its
    # items, each naming a commit item, then that commit item, which is the
    # batch's commit point: an item whose commit item is missing is not read, so a batch cut short is
    # never half visible. Items expire through the container's default TTL (EVENTS_RETENTION_DAYS,
    # infra/modules/database.bicep); reads also skip expired ones, where TTL lags or is not applied.

    async def append_events(self, streams: Mapping[str, Sequence[dict[str, Any]]], expires_at: float) -> str:
        sequence = new_sequence()
        names = list(streams)
        # The commit item has a partition of its own, so deleting one stream never hides another's part.
        commit = {"pk": f"commit!{sequence}", "id": "commit"} if len(names) > 1 else None
        for stream in names:
            record: dict[str, Any] = {"s": sequence, "e": list(streams[stream]), "x": expires_at}
            if commit is not None:
                record["c"] = commit
            await self.create(EVENTS, stream, sequence, record)
        if commit is not None:
            await self.create(EVENTS, commit["pk"], commit["id"], {"x": expires_at})
        return sequence

    async def _event_batches(
        self, stream: str, start: str | None, inclusive: bool, count: int, at: float
    ) -> list[EventBatch]:
        # The partition key is named in the query too: the emulator ignores partition_key on queries.
        where = "c.pk = @pk AND IS_DEFINED(c.body.s) AND c.body.x > @at"
        parameters: list[dict[str, Any]] = [{"name": "@pk", "value": stream}, {"name": "@at", "value": at}]
        if start is not None:
            where += " AND c.body.s <= @start" if inclusive else " AND c.body.s < @start"
            parameters.append({"name": "@start", "value": start})
        query = f"SELECT TOP {int(count)} c.body FROM c WHERE {where} ORDER BY c.body.s DESC"
        where_text = f"{EVENTS}/{stream}"
        items: list[dict[str, Any]] = []
        async with self._gate.turn(where_text):
            with _faults(where_text):
                pages = self._containers[EVENTS].query_items(
                    query, parameters=parameters, partition_key=stream, timeout=self._timeout
                )
                async for item in pages:
                    items.append(item["body"])
        batches = []
        for body in items:
            commit = body.get("c")
            if commit is not None and await self.read(EVENTS, commit["pk"], commit["id"]) is None:
                continue  # a batch whose commit never landed
            batches.append(EventBatch(body["s"], body["e"]))
        return batches

    async def delete_events(self, stream: str) -> None:
        where_text = f"{EVENTS}/{stream}"
        ids: list[str] = []
        async with self._gate.turn(where_text):
            with _faults(where_text):
                pages = self._containers[EVENTS].query_items(
                    "SELECT c.id FROM c WHERE c.pk = @pk",
                    parameters=[{"name": "@pk", "value": stream}],
                    partition_key=stream,
                    timeout=self._timeout,
                )
                async for item in pages:
                    ids.append(item["id"])
        for item_id in ids:  # ids are escaped already: straight to the container
            async with self._gate.turn(where_text):
                with contextlib.suppress(NotFound), _faults(where_text):
                    await self._containers[EVENTS].delete_item(item_id, partition_key=stream, timeout=self._timeout)

    async def put_rank(self, board: str, entity_id: str, value: int, tiebreak: str, seq: int) -> None:
        check_rank_value(value)

        def newer(body: dict[str, Any] | None) -> dict[str, Any] | None:
            if body is not None and body["s"] >= seq:
                return None  # a newer write of this entity is in already
            return entry(entity_id, value, tiebreak, seq)

        await self.update(RANKS, board, entity_id, newer)

    async def partitions_with(self, container: str, id: str) -> list[str]:
        where = f"{container}: every {id}"
        found: list[str] = []
        async with self._gate.turn(where):
            with _faults(where):
                pages = self._containers[container].query_items(  # across partitions: a tool's scan
                    "SELECT VALUE c.pk FROM c WHERE c.id = @id",
                    parameters=[{"name": "@id", "value": cosmos_id(id)}],
                    timeout=self._timeout,
                )
                async for pk in pages:
                    found.append(str(pk))
        return sorted(found)

    async def read_many(self, container: str, keys: Sequence[tuple[str, str]]) -> list[Document | None]:
        async def one(pk: str, id: str) -> Document | None:
            async with self._bulk:
                return await self.read(container, pk, id)

        return list(await asyncio.gather(*(one(pk, id) for pk, id in keys)))

    async def insert_rank(self, board: str, entity_id: str, value: int, tiebreak: str) -> None:
        check_rank_value(value)
        # One create: present already means some entry of this entity is in, and it stays.
        with contextlib.suppress(Conflict):
            await self.create(RANKS, board, entity_id, entry(entity_id, value, tiebreak, 1))

    async def delete_rank(self, board: str, entity_id: str) -> None:
        try:
            await self.delete(RANKS, board, entity_id)
        except NotFound:
            pass
        finally:
            self._recent.forget(f"{RANKS}/{board}/{entity_id}")

    async def _query(self, board: str, query: str, params: list[dict[str, Any]], limit: int) -> list[Any]:
        """At most `limit` results of a query within the board's partition."""
        where = f"{RANKS}/{board}: query"
        results: list[Any] = []
        async with self._gate.turn(where):
            with _faults(where):
                pages = self._containers[RANKS].query_items(
                    query,
                    parameters=params,
                    partition_key=board,
                    # Not fewer: the emulator pages an aggregate's filtered items, never ending with 1 a page.
                    max_item_count=PAGE_ITEMS,
                    timeout=self._timeout,
                )
                async for item in pages:
                    results.append(item)
                    if len(results) >= limit:
                        break
        return results

    async def rank_range(self, board: str, start: int, count: int) -> list[Ranking]:
        check_rank_window(start, count)
        if count == 0:
            return []
        rows = await self._query(board, RANGE_QUERY, parameters(board, n=start + count), start + count)
        return [Ranking(entity_id, value, start + i) for i, (value, entity_id) in enumerate(rows[start:])]

    async def rank_of(self, board: str, entity_id: str) -> Ranking | None:
        doc = await self.read(RANKS, board, entity_id)
        if doc is None:
            return None
        body = doc.body
        ahead = await self._query(board, AHEAD_QUERY, parameters(board, v=body["v"], t=body["t"], e=body["e"]), 1)
        return Ranking(entity_id, body["v"], int(ahead[0]) if ahead else 0)

    async def rank_window(self, board: str, entity_id: str, before: int, count: int) -> list[Ranking]:
        # From the entry's key, so the entries read are the window's, wherever it sits on the board.
        check_rank_window(before, count)
        doc = await self.read(RANKS, board, entity_id)
        if doc is None:
            return []
        key = {"v": doc.body["v"], "t": doc.body["t"], "e": doc.body["e"]}
        counted = await self._query(board, AHEAD_QUERY, parameters(board, **key), 1)
        position = int(counted[0]) if counted else 0
        take = min(before, position)
        ahead: list[Any] = []
        if take and count:
            ahead = (await self._query(board, AHEAD_ROWS_QUERY, parameters(board, n=take, **key), take))[::-1]
        rows = ahead[:count]
        if len(rows) < count:
            rest = count - len(rows)
            rows += await self._query(board, FROM_ROWS_QUERY, parameters(board, n=rest, **key), rest)
        start = position - len(ahead)
        return [Ranking(e, v, start + i) for i, (v, e) in enumerate(rows)]

    async def rank_after(self, board: str, after: RankKey | None, count: int) -> list[RankKey]:
        check_rank_window(0, count)
        if count == 0:
            return []
        if after is None:
            rows = await self._query(board, FIRST_KEYS_QUERY, parameters(board, n=count), count)
        else:
            key = {"v": after.value, "t": after.tiebreak, "e": after.entity_id}
            rows = await self._query(board, AFTER_KEYS_QUERY, parameters(board, n=count, **key), count)
        return [RankKey(v, t, e) for v, t, e in rows]

    async def rank_count(self, board: str) -> int:
        counted = await self._query(board, COUNT_QUERY, parameters(board), 1)
        return int(counted[0]) if counted else 0

    async def close(self) -> None:
        await self._client.close()
        if self._credential is not None:
            await self._credential.close()


async def open_cosmos_store(settings: Settings, **client_options: Any) -> CosmosStore:
    """Connect once per process. With a key (local runs, emulators) create what is missing; with a
    managed identity (DefaultAzureCredential) the containers come from infra/ and are only checked.

    client_options reach the SDK's CosmosClient as they are (tests pass a transport).
    """
    assert settings.cosmos_endpoint, "load_settings() requires COSMOS_ENDPOINT with STORAGE_BACKEND=cosmos"
    credential: Any
    if settings.cosmos_key:
        problem = key_problem(settings.cosmos_key)
        if problem:
            raise StoreUnavailable(problem)
        credential = settings.cosmos_key
    else:
        from azure.identity.aio import DefaultAzureCredential  # only where keys are disabled

        credential = DefaultAzureCredential()
    options: dict[str, Any] = {
        "connection_verify": settings.cosmos_verify_tls,
        "retry_throttle_total": THROTTLE_RETRIES,
        # Throttled retries fit inside a call's budget, leaving one attempt's time for the last try,
        # so a throttled caller hears DatabaseThroughputExceeded rather than a timeout.
        "retry_throttle_backoff_max": max(
            1, settings.cosmos_operation_timeout_seconds - settings.cosmos_request_timeout_seconds
        ),
        "retry_total": CONNECTION_RETRIES,
        "retry_connect": CONNECTION_RETRIES,
        "connection_timeout": settings.cosmos_request_timeout_seconds,
        "read_timeout": settings.cosmos_request_timeout_seconds,
        "no_response_on_write": True,
        "logger": HTTP_LOG,
        # Send UTF-8 rather than \u escapes, so the size checked by encode() is the size sent.
        "enable_compact_utf8_item_writes": True,
        **client_options,
    }
    client = CosmosClient(settings.cosmos_endpoint, credential=credential, **options)
    try:
        with _faults(f"opening database {settings.cosmos_database}"):
            try:
                async with asyncio.timeout(OPEN_TIMEOUT_SECONDS):
                    containers = await _containers(client, settings)
            except TimeoutError:
                raise StoreUnavailable(
                    f"opening database {settings.cosmos_database}: no answer from COSMOS_ENDPOINT within "
                    f"{OPEN_TIMEOUT_SECONDS:g} s (is it a Cosmos DB endpoint, and reachable from here?)"
                ) from None
    except BaseException:
        await client.close()
        if not isinstance(credential, str):
            await credential.close()
        raise
    return CosmosStore(
        client,
        containers,
        None if isinstance(credential, str) else credential,
        gate=CallGate(settings.cosmos_max_calls, settings.cosmos_queue_wait_ms / 1000),
        operation_timeout=settings.cosmos_operation_timeout_seconds,
        check_timeout=settings.cosmos_request_timeout_seconds,
    )


async def _containers(client: CosmosClient, settings: Settings) -> dict[str, ContainerProxy]:
    if settings.cosmos_key:
        database = await _create_if_missing(
            client.create_database_if_not_exists(settings.cosmos_database),
            lambda: client.get_database_client(settings.cosmos_database),
        )
        containers = {
            name: await _create_if_missing(
                database.create_container_if_not_exists(
                    name, PartitionKey(PARTITION_KEY_PATH), indexing_policy=INDEXING_POLICIES.get(name, INDEXING_POLICY)
                ),
                partial(database.get_container_client, name),
            )
            for name in ALL_CONTAINERS
        }
        containers[EVENTS] = await _create_if_missing(
            database.create_container_if_not_exists(
                EVENTS,
                PartitionKey(PARTITION_KEY_PATH),
                indexing_policy=EVENTS_INDEXING_POLICY,
                default_ttl=settings.events_retention_days * 86_400,
            ),
            partial(database.get_container_client, EVENTS),
        )
        return containers
    database = client.get_database_client(settings.cosmos_database)
    containers = {name: database.get_container_client(name) for name in (*ALL_CONTAINERS, EVENTS)}
    for name, proxy in containers.items():
        try:
            await proxy.read()  # fail at start-up, not on some later request, when infra is missing
        except exceptions.CosmosResourceNotFoundError as err:
            raise StoreUnavailable(
                f"container {name} is missing from database {settings.cosmos_database}: a managed identity "
                "cannot create it; deploy infra/ (or set COSMOS_KEY to create it)"
            ) from err
    return containers


async def _create_if_missing(create: Awaitable[T], existing: Callable[[], T]) -> T:
    try:
        return await create
    except exceptions.CosmosResourceExistsError:  # another worker process created it first
        return existing()
