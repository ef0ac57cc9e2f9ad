"""Registrations under races and crashes, what the store keeps of a password, and wrong passwords throttled.

Races go through real connections released together by a barrier; throttling windows are moved on with the
host's injected clock (tests/host_clock.py), never by sleeping.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from shared.config.clock import new_id
from shared.config.settings import load_settings
from shared.services import open_store
from tests.conftest import BACKENDS
from tests.support.data_calls import stored
from tests.support.host_clock import HostClock
from tests.support.limited_hosts import assert_error, assert_throttled, host_on
from tests.support.server import TITLE_ID, Server
from tests.support.world import stored_anywhere

PASSWORD = "a-Password-no-one-guesses"
RACERS = 16


def _register(client: httpx.Client | Server, username: str, email: str, password: str = PASSWORD) -> dict[str, Any]:
    body = {"TitleId": TITLE_ID, "Username": username, "Email": email, "Password": password}
    if isinstance(client, Server):
        return dict(client.post("/Client/RegisterPlayFabUser", body).json())
    return dict(client.post("/Client/RegisterPlayFabUser", json=body).json())


def _email_login(client: httpx.Client | Server, email: str, password: str, **headers: str) -> httpx.Response:
    body = {"TitleId": TITLE_ID, "Email": email, "Password": password}
    if isinstance(client, Server):
        return client.post("/Client/LoginWithEmailAddress", body, headers)
    return client.post("/Client/LoginWithEmailAddress", json=body, headers=headers)


def _race(server: Server, bodies: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Send one registration per body at once, each on its own connection."""
    barrier = threading.Barrier(len(bodies), timeout=60)
    answers: list[dict[str, Any]] = [{} for _ in bodies]

    def run(i: int) -> None:
        with httpx.Client(base_url=server.url, timeout=120, verify=False) as client:
            client.post("/Client/LoginWithCustomID", json={})  # open the connection before the barrier
            barrier.wait()
            answers[i] = _register(client, *bodies[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not any(t.is_alive() for t in threads)
    return answers


def _tag() -> str:
    return uuid.uuid4().hex[:12]


@pytest.mark.parametrize("shared_field", ["Email", "Username"])
def test_racing_registrations_of_one_identity_make_one_account(server: Server, shared_field: str):
    tag = _tag()
    if shared_field == "Email":
        bodies = [(f"r{i}_{tag}", f"race-{tag}@example.com") for i in range(RACERS)]
        loser_error = ("EmailAddressNotAvailable", 1006)
    else:
        bodies = [(f"r_{tag}", f"race-{i}-{tag}@example.com") for i in range(RACERS)]
        loser_error = ("UsernameNotAvailable", 1009)
    answers = _race(server, bodies)
    winners = [i for i, a in enumerate(answers) if a.get("code") == 200]
    assert len(winners) == 1, answers
    for i, answer in enumerate(answers):
        if i not in winners:
            assert (answer["code"], answer["error"], answer["errorCode"]) == (400, *loser_error), answer
    winner = answers[winners[0]]["data"]["PlayFabId"]
    username, email = bodies[winners[0]]
    login = _email_login(server, email, PASSWORD).json()
    assert login["code"] == 200 and login["data"]["PlayFabId"] == winner
    by_name = server.post("/Client/LoginWithPlayFab", {"TitleId": TITLE_ID, "Username": username, "Password": PASSWORD})
    assert by_name.json()["data"]["PlayFabId"] == winner
    # Every loser undid its claims: its other identity is free, and still nobody else's.
    loser_username, loser_email = bodies[(winners[0] + 1) % RACERS]
    other = loser_email if shared_field == "Username" else None
    if other is not None:
        assert _email_login(server, other, PASSWORD).json()["error"] == "AccountNotFound"
        assert _register(server, f"n_{tag}", other)["code"] == 200
    else:
        gone = server.post(
            "/Client/LoginWithPlayFab", {"TitleId": TITLE_ID, "Username": loser_username, "Password": PASSWORD}
        )
        assert gone.json()["error"] == "AccountNotFound"
        assert _register(server, loser_username, f"n-{tag}@example.com")["code"] == 200


def _write(server: Server, container: str, pk: str, doc_id: str, body: dict[str, Any], replace: bool = False) -> None:
    async def write() -> None:
        store = await open_store(load_settings(server.env))
        try:
            current = await store.read(container, pk, doc_id)
            if current is not None and replace:
                await store.replace(container, pk, doc_id, body, current.etag)
            else:
                await store.create(container, pk, doc_id, body)
        finally:
            await store.close()

    asyncio.run(write())


def test_a_claim_left_pending_by_a_crash_does_not_block_a_registration(server: Server):
    tag = _tag()
    username, email = f"Crash_{tag}", f"Crash-{tag}@Example.com"
    crashed = new_id()  # a registration that claimed both and died before writing its account
    for pk in (f"username:{username.lower()}", f"email:{email.lower()}"):
        _write(server, "lookups", pk, "login", {"PlayFabId": crashed, "Pending": True})
    # A pending claim logs no one in.
    assert _email_login(server, email, PASSWORD).json()["error"] == "AccountNotFound"
    answer = _register(server, username, email)
    assert answer["code"] == 200, answer
    pid = answer["data"]["PlayFabId"]
    assert pid != crashed
    assert _email_login(server, email, PASSWORD).json()["data"]["PlayFabId"] == pid
    assert stored(server, "lookups", f"email:{email.lower()}", "login") == {"PlayFabId": pid}
    assert stored(server, "lookups", f"username:{username.lower()}", "login") == {"PlayFabId": pid}


def test_the_store_keeps_only_an_argon2id_hash_with_its_parameters(server: Server):
    tag = _tag()
    password = f"Unmistakable-{tag}"
    answer = _register(server, f"h_{tag}", f"h-{tag}@example.com", password)
    pid = answer["data"]["PlayFabId"]
    record = stored(server, "players", pid, "password")
    assert record is not None and set(record) == {"Hash"}
    # argon2id, version 19, 19 MiB, 2 passes, 1 lane, then a 16-byte salt and a 32-byte hash (base64).
    head, salt, digest = record["Hash"].rsplit("$", 2)
    assert head == "$argon2id$v=19$m=19456,t=2,p=1"
    assert (len(salt), len(digest)) == (22, 43)
    assert password not in str(stored(server, "players", pid, "account"))
    other = _register(server, f"g_{tag}", f"g-{tag}@example.com", password)
    assert stored(server, "players", other["data"]["PlayFabId"], "password")["Hash"] != record["Hash"]  # own salt


def test_no_stored_document_holds_the_password(sqlite_server: Server):
    tag = _tag()
    password = f"Findable-{tag}"
    assert _register(sqlite_server, f"s_{tag}", f"s-{tag}@example.com", password)["code"] == 200
    assert _email_login(sqlite_server, f"s-{tag}@example.com", password).json()["code"] == 200
    assert stored_anywhere(sqlite_server, tag)  # the scan does see the username and email
    assert not stored_anywhere(sqlite_server, password)


def test_a_hash_made_with_weaker_parameters_is_redone_at_the_next_login(server: Server):
    tag = _tag()
    answer = _register(server, f"w_{tag}", f"w-{tag}@example.com")
    pid = answer["data"]["PlayFabId"]
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    _write(server, "players", pid, "password", {"Hash": weak}, replace=True)
    assert _email_login(server, f"w-{tag}@example.com", "wrong-password").json()["error"] == "InvalidEmailOrPassword"
    assert stored(server, "players", pid, "password") == {"Hash": weak}  # a failed login changes nothing
    assert _email_login(server, f"w-{tag}@example.com", PASSWORD).json()["code"] == 200
    redone = stored(server, "players", pid, "password")["Hash"]
    assert redone.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert _email_login(server, f"w-{tag}@example.com", PASSWORD).json()["code"] == 200


ROOMY = {
    "RATE_LIMITS": "client",
    "RATE_LIMIT_ANONYMOUS_CALLS": "100000/15",
    "RATE_LIMIT_ACCOUNT_CREATION": "1000/60",
    "TRUST_X_FORWARDED_FOR": "true",
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_thousand_wrong_passwords_are_throttled_after_the_configured_count(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
):
    clock = HostClock(tmp_path)
    env = {
        **ROOMY,
        "RATE_LIMIT_PASSWORD_FAILURES": "5/900",
        "RATE_LIMIT_PASSWORD_FAILURES_PER_ADDRESS": "100000/900",
        **clock.env(),
    }
    with host_on(backend, request, tmp_path / "data", **env) as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        tag = _tag()
        email, bystander = f"t-{tag}@example.com", f"b-{tag}@example.com"
        assert _register(c, f"t_{tag}", email)["code"] == 200
        assert _register(c, f"b_{tag}", bystander)["code"] == 200
        # Right passwords are not failures: more of them than the budget leave it whole.
        for _ in range(8):
            assert _email_login(c, email, PASSWORD).json()["code"] == 200
        outcomes: dict[str, int] = {}
        started = time.monotonic()
        for attempt in range(1000):
            resp = _email_login(c, email, f"guess-{attempt}")
            body = resp.json()
            if attempt < 5:
                assert_error(resp, 400, "InvalidEmailOrPassword", 1142)
            else:
                assert_throttled(resp, 900)
            outcomes[body["error"]] = outcomes.get(body["error"], 0) + 1
            assert time.monotonic() - started < 600, "the loop is bounded in time too"
        assert outcomes == {"InvalidEmailOrPassword": 5, "APIClientRequestRateLimitExceeded": 995}
        # Throttled means the right password too: otherwise the one answer that differs gives it away.
        retry = assert_throttled(_email_login(c, email, PASSWORD), 900)
        by_name = c.post(
            "/Client/LoginWithPlayFab", json={"TitleId": TITLE_ID, "Username": f"t_{tag}", "Password": PASSWORD}
        )
        assert_throttled(by_name, 900)
        # Per account: another player behind the same address is not affected.
        assert _email_login(c, bystander, PASSWORD).json()["code"] == 200
        clock.advance(retry + 1)
        assert _email_login(c, email, PASSWORD).json()["code"] == 200
        assert_error(_email_login(c, email, "wrong-again"), 400, "InvalidEmailOrPassword", 1142)


@pytest.mark.parametrize("backend", BACKENDS)
def test_guesses_sent_at_once_are_counted_before_they_are_checked(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
):
    env = {**ROOMY, "RATE_LIMIT_PASSWORD_FAILURES": "5/900", "RATE_LIMIT_PASSWORD_FAILURES_PER_ADDRESS": "100000/900"}
    with host_on(backend, request, tmp_path / "data", **env) as srv:
        tag = _tag()
        email = f"c-{tag}@example.com"
        assert _register(srv, f"c_{tag}", email)["code"] == 200
        barrier = threading.Barrier(RACERS, timeout=60)
        answers: list[dict[str, Any]] = [{} for _ in range(RACERS)]

        def guess(i: int) -> None:
            with httpx.Client(base_url=srv.url, timeout=120) as client:
                client.post("/Client/LoginWithCustomID", json={})  # open the connection before the barrier
                barrier.wait()
                answers[i] = _email_login(client, email, f"guess-{i}").json()

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(RACERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=180)
        assert not any(t.is_alive() for t in threads)
        errors = sorted(a["error"] for a in answers)
        assert errors == ["APIClientRequestRateLimitExceeded"] * (RACERS - 5) + ["InvalidEmailOrPassword"] * 5


@pytest.mark.parametrize("backend", BACKENDS)
def test_wrong_passwords_and_unknown_emails_are_throttled_per_address(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
):
    clock = HostClock(tmp_path)
    env = {
        **ROOMY,
        "RATE_LIMIT_PASSWORD_FAILURES": "100/900",
        "RATE_LIMIT_PASSWORD_FAILURES_PER_ADDRESS": "3/600",
        **clock.env(),
    }
    here, elsewhere = {"X-Forwarded-For": "198.51.100.20"}, {"X-Forwarded-For": "203.0.113.9"}
    with host_on(backend, request, tmp_path / "data", **env) as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        tag = _tag()
        first, second = f"p-{tag}@example.com", f"q-{tag}@example.com"
        assert _register(c, f"p_{tag}", first)["code"] == 200
        assert _register(c, f"q_{tag}", second)["code"] == 200
        assert_error(_email_login(c, first, "wrong-1", **here), 400, "InvalidEmailOrPassword", 1142)
        assert_error(_email_login(c, second, "wrong-2", **here), 400, "InvalidEmailOrPassword", 1142)
        assert_error(_email_login(c, f"nobody-{tag}@example.com", PASSWORD, **here), 400, "AccountNotFound", 1001)
        retry = assert_throttled(_email_login(c, second, PASSWORD, **here), 600)
        assert_throttled(_email_login(c, f"nobody-{tag}@example.com", PASSWORD, **here), 600)
        # Another address is not affected, and the players' own budgets are not spent.
        assert _email_login(c, first, PASSWORD, **elsewhere).json()["code"] == 200
        clock.advance(retry + 1)
        assert _email_login(c, second, PASSWORD, **here).json()["code"] == 200


def test_rate_limits_off_leaves_password_logins_unthrottled(server: Server):
    # The shared test hosts run with RATE_LIMITS=off: a dozen failures in a row stay plain failures.
    tag = _tag()
    email = f"o-{tag}@example.com"
    assert _register(server, f"o_{tag}", email)["code"] == 200
    with httpx.Client(base_url=server.url, timeout=60, verify=False) as c:
        for n in range(12):
            assert _email_login(c, email, f"nope-{n}").json()["error"] == "InvalidEmailOrPassword"
    assert _email_login(server, email, PASSWORD).json()["code"] == 200


def test_registrations_count_as_new_accounts_per_address(request: pytest.FixtureRequest, tmp_path: Path):
    env = {**ROOMY, "RATE_LIMIT_ACCOUNT_CREATION": "2/3600"}
    with host_on("sqlite", request, tmp_path / "data", **env) as srv:
        tag = _tag()
        # A refused registration (bad fields) creates nothing and is not counted.
        assert _register(srv, "x", "x", "x")["error"] == "InvalidParams"
        assert _register(srv, f"k1_{tag}", f"k1-{tag}@example.com")["code"] == 200
        assert _register(srv, f"k2_{tag}", f"k2-{tag}@example.com")["code"] == 200
        resp = srv.post(
            "/Client/RegisterPlayFabUser",
            {"TitleId": TITLE_ID, "Username": f"k3_{tag}", "Email": f"k3-{tag}@example.com", "Password": PASSWORD},
        )
        assert_throttled(resp, 3600)
        # Nothing of the refused one was written: its email is nobody's.
        assert _email_login(srv, f"k3-{tag}@example.com", PASSWORD).json()["error"] == "AccountNotFound"


def test_one_player_racing_to_add_usernames_keeps_exactly_one(server: Server):
    tag = _tag()
    ticket = server.post(
        "/Client/LoginWithCustomID", {"TitleId": TITLE_ID, "CustomId": f"adder-{tag}", "CreateAccount": True}
    ).json()["data"]["SessionTicket"]
    racers = 8
    barrier = threading.Barrier(racers, timeout=60)
    answers: list[dict[str, Any]] = [{} for _ in range(racers)]

    def add(i: int) -> None:
        with httpx.Client(base_url=server.url, timeout=120, verify=False) as client:
            client.post("/Client/LoginWithCustomID", json={})  # open the connection before the barrier
            barrier.wait()
            body = {"Username": f"a{i}_{tag}", "Email": f"a{i}-{tag}@example.com", "Password": f"{PASSWORD}{i}"}
            answers[i] = client.post(
                "/Client/AddUsernamePassword", json=body, headers={"X-Authorization": ticket}
            ).json()

    threads = [threading.Thread(target=add, args=(i,)) for i in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not any(t.is_alive() for t in threads)
    winners = [i for i, a in enumerate(answers) if a.get("code") == 200]
    assert len(winners) == 1, answers
    assert {a["error"] for i, a in enumerate(answers) if i not in winners} == {"AccountAlreadyLinked"}, answers
    (w,) = winners
    for i in range(racers):
        login = server.post(
            "/Client/LoginWithPlayFab", {"TitleId": TITLE_ID, "Username": f"a{i}_{tag}", "Password": f"{PASSWORD}{i}"}
        ).json()
        assert login.get("code") == 200 if i == w else login["error"] == "AccountNotFound", (i, login)
        email = _email_login(server, f"a{i}-{tag}@example.com", f"{PASSWORD}{i}").json()
        assert email.get("code") == 200 if i == w else email["error"] == "AccountNotFound", (i, email)
