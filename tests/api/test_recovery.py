"""Account recovery end to end: the email through a real SMTP server, the link's page in a real browser,
the token's one use and expiry, racing resets, the throttles, the outbox, on both stores and both SDKs."""

from __future__ import annotations

import asyncio
import email
import hashlib
import re
import stat
import threading
import time
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from aiosmtpd.controller import Controller
from playfab import PlayFabAdminAPI, PlayFabClientAPI

from shared.auth import logins, passwords
from shared.auth.logins import LoginKind
from shared.config.settings import SettingsError, load_settings
from shared.features import recovery
from shared.mail.delivery import DeliveryFailed, deliver
from shared.services import open_store
from shared.storage.layout import ACCOUNT_DOC, LOOKUPS, PLAYERS, RECOVERY_TOKEN_DOC, recovery_token_pk
from shared.wire.error_codes import ERROR_CODES
from tests.support import sdk
from tests.support.browser import PHONE, chromium
from tests.support.cosmos import CosmosAccount, new_database_name
from tests.support.host_clock import HostClock
from tests.support.node_sdk import run_node_calls, self_signed_cert
from tests.support.players import new_player
from tests.support.server import SECRET_KEY, TITLE_ID, Server, base_env, free_port, running_server

OLD_PASSWORD = "old-password-1"
LINK = re.compile(r"https?://\S+")
TTL = 1800
# Only the limits these tests exercise are tight; logins and account creation are not what is tested.
ROOMY = {
    "RATE_LIMITS": "client",
    "RATE_LIMIT_ANONYMOUS_CALLS": "100000/15",
    "RATE_LIMIT_ACCOUNT_CREATION": "100000/60",
}


class Mailbox:
    """An aiosmtpd handler keeping every message, with a bounded wait for one to arrive."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        with self._arrived:
            self.messages.append((list(envelope.rcpt_tos), message))
            self._arrived.notify_all()
        return "250 OK"

    def to(self, recipient: str) -> list[EmailMessage]:
        with self._arrived:
            return [m for rcpt, m in self.messages if recipient.lower() in (r.lower() for r in rcpt)]

    def wait_for(self, recipient: str, count: int = 1, timeout: float = 30.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(found := self.to(recipient)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{count} message(s) for {recipient} did not arrive within {timeout} s")
                self._arrived.wait(left)
            return found


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture(scope="module", params=("sqlite", "cosmos"))
def host(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, mailbox: tuple[Mailbox, int]
) -> Iterator[Server]:
    """An HTTPS host mailing through the local SMTP server, with a clock the tests can move."""
    directory = tmp_path_factory.mktemp(f"recovery-{request.param}")
    clock = HostClock(directory)
    cert, key = self_signed_cert(directory)
    env = {
        **ROOMY,
        **clock.env(),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox[1]),
        "SMTP_TLS": "none",
        "SMTP_SENDER": "Test Game <noreply@game.example>",
        "RATE_LIMIT_RECOVERY_EMAIL": "3/900",
        "RATE_LIMIT_RECOVERY_ADDRESS": "100000/3600",
        "RECOVERY_TOKEN_TTL_SECONDS": str(TTL),
    }
    database = None
    if request.param == "cosmos":
        account: CosmosAccount = request.getfixturevalue("cosmos")
        database = new_database_name("recovery")
        env.update(account.env(database))
    with running_server(directory / "data", tls=(cert, key), **env) as srv:
        srv.extra.update(ca=cert, clock=clock)
        yield srv
    if database is not None:
        asyncio.run(account.drop_database(database))


@pytest.fixture
def pf(host: Server, monkeypatch: pytest.MonkeyPatch) -> Server:
    """The Python SDK pointed at the HTTPS host, trusting its certificate."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(host.extra["ca"]))
    sdk.point_at(host)
    return host


def _with_store(srv: Server, work: Any) -> Any:
    async def run() -> Any:
        store = await open_store(load_settings(srv.env))
        try:
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(run())


def email_player(srv: Server, password: str = OLD_PASSWORD) -> tuple[str, str]:
    """A player with an email login and a password, as registration leaves one: (PlayFabId, email)."""
    playfab_id = new_player().playfab_id
    address = f"Player.{uuid.uuid4().hex[:12]}@Example.com"

    async def give(store: Any) -> None:
        held = await logins.claim(store, LoginKind.EMAIL, address, playfab_id)

        def add(body: dict[str, Any] | None) -> dict[str, Any] | None:
            if body is not None:
                body["Logins"] = {**body.get("Logins", {}), LoginKind.EMAIL.value: address}
            return body

        await store.update(PLAYERS, playfab_id, ACCOUNT_DOC, add)
        await logins.confirm(store, held)
        await passwords.set_password(store, playfab_id, password)

    _with_store(srv, give)
    return playfab_id, address


def password_works(srv: Server, playfab_id: str, password: str) -> bool:
    return bool(_with_store(srv, lambda store: passwords.check_password(store, playfab_id, password)))


def link_in(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    found = LINK.search(body.get_content())
    assert found, body.get_content()
    return found.group(0)


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def sdk_error(api: Any, request: dict[str, Any]) -> sdk.PlayFabCallError:
    with pytest.raises(sdk.PlayFabCallError) as raised:
        sdk.call(api, request)
    return raised.value


def assert_error(err: sdk.PlayFabCallError, name: str, field: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = err.error
    assert (body["error"], body["errorCode"], body["code"]) == (name, ERROR_CODES[name], 400), body
    if field is not None:
        assert field in body["errorDetails"], body
    return body


def client_send(address: str) -> dict[str, Any]:
    return sdk.call(PlayFabClientAPI.SendAccountRecoveryEmail, {"TitleId": TITLE_ID, "Email": address})


# --- The browser (Debian's chromium and chromedriver, through Selenium) ---


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(PHONE, "the reset page test") as driver:  # a phone's width
        yield driver


def test_the_emailed_link_resets_the_password_once_in_a_browser(pf: Server, mailbox: tuple[Mailbox, int], browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    playfab_id, address = email_player(pf)
    assert client_send(address.upper()) == {}  # emails match without regard to case
    (message,) = mailbox[0].wait_for(address)
    assert message["To"] == address and message["Subject"] == "Reset your password"
    assert message["From"] == "Test Game <noreply@game.example>"
    link = link_in(message)
    assert link.startswith(pf.url + "/account/reset-password?token=")
    assert "30 minutes" in message.get_body(("plain",)).get_content()
    # Only the token's hash is stored, under its hash.
    token = token_of(link)
    stored = _with_store(
        pf,
        lambda store: store.read(
            LOOKUPS, recovery_token_pk(hashlib.sha256(token.encode()).hexdigest()), RECOVERY_TOKEN_DOC
        ),
    )
    assert stored is not None and stored.body["PlayFabId"] == playfab_id and token not in repr(stored.body)

    page = httpx.get(link, verify=False, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["referrer-policy"] == "no-referrer" and page.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<script" not in page.text and "http" not in page.text.split("<body>")[1]  # nothing loaded from elsewhere

    browser.get(link)
    assert browser.title == "Choose a new password"
    labels = {label.get_attribute("for"): label.text for label in browser.find_elements(By.TAG_NAME, "label")}
    assert labels == {"password": "New password", "confirm": "New password again"}
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    browser.find_element(By.ID, "password").send_keys("brand-new-secret")
    browser.find_element(By.ID, "confirm").send_keys("brand-new-secret")
    browser.find_element(By.TAG_NAME, "button").click()
    # The click returns before the answer's page loads: wait (bounded) for it.
    WebDriverWait(browser, 30).until(lambda driver: driver.title != "Choose a new password")
    assert browser.title == "Password changed"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Password changed"
    assert browser.current_url.split("?")[0] == link.split("?")[0] and "token" not in browser.current_url

    assert password_works(pf, playfab_id, "brand-new-secret")
    assert not password_works(pf, playfab_id, OLD_PASSWORD)
    assert token not in pf.log() and "brand-new-secret" not in pf.log()  # neither the link nor the password

    browser.get(link)  # the same link again
    assert browser.find_element(By.TAG_NAME, "h1").text == "This link cannot be used"
    assert "already been used" in browser.find_element(By.TAG_NAME, "p").text
    err = sdk_error(PlayFabAdminAPI.ResetPassword, {"Token": token, "Password": "third-password"})
    assert_error(err, "AuthTokenAlreadyUsedToResetPassword", "Token")
    assert password_works(pf, playfab_id, "brand-new-secret")


def test_the_page_refuses_a_mismatch_and_bad_forms_and_escapes_what_it_echoes(pf: Server, mailbox):
    playfab_id, address = email_player(pf)
    sdk.call(PlayFabAdminAPI.SendAccountRecoveryEmail, {"Email": address})
    link = link_in(mailbox[0].wait_for(address)[0])
    token, page = token_of(link), link.split("?")[0]
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    mismatch = httpx.post(page, data={"token": token, "password": "abcdef", "confirm": "abcdeg"}, verify=False)
    assert mismatch.status_code == 400 and "The two passwords are not the same." in mismatch.text
    assert mismatch.headers["referrer-policy"] == "no-referrer"
    short = httpx.post(page, data={"token": token, "password": "abc", "confirm": "abc"}, verify=False)
    assert short.status_code == 400 and "6 to 100 characters" in short.text
    as_json = httpx.post(page, json={"token": token, "password": "abcdefg", "confirm": "abcdefg"}, verify=False)
    assert as_json.status_code == 400 and "cannot be read" in as_json.text
    twice = httpx.post(
        page, content=f"token={token}&token={token}&password=abcdefg&confirm=abcdefg", headers=form, verify=False
    )
    assert twice.status_code == 400
    hostile = httpx.get(page, params={"token": '"><script>alert(1)</script>'}, verify=False)
    assert hostile.status_code == 400 and "<script>" not in hostile.text and "alert(1)" not in hostile.text
    assert not password_works(pf, playfab_id, "abcdefg") and password_works(pf, playfab_id, OLD_PASSWORD)
    # None of it spent the token.
    assert httpx.get(link, verify=False).status_code == 200


def test_admin_send_and_reset_through_the_python_sdk(pf: Server, mailbox):
    playfab_id, address = email_player(pf)
    assert sdk.call(PlayFabAdminAPI.SendAccountRecoveryEmail, {"Email": address, "EmailTemplateId": "ignored"}) == {}
    token = token_of(link_in(mailbox[0].wait_for(address)[0]))

    err = sdk_error(PlayFabAdminAPI.ResetPassword, {"Token": token, "Password": "short"})
    body = assert_error(err, "InvalidParams", "Password")
    assert body["errorDetails"]["Password"] == ["The field Password must be a string with a minimum length of 6."]
    assert sdk.call(PlayFabAdminAPI.ResetPassword, {"Token": token, "Password": "admin-set-password"}) == {}
    assert password_works(pf, playfab_id, "admin-set-password") and not password_works(pf, playfab_id, OLD_PASSWORD)
    err = sdk_error(PlayFabAdminAPI.ResetPassword, {"Token": token, "Password": "another-password"})
    assert_error(err, "AuthTokenAlreadyUsedToResetPassword", "Token")

    assert_error(sdk_error(PlayFabAdminAPI.ResetPassword, {"Token": "x", "Password": "abcdefgh"}), "InvalidAuthToken")
    err = sdk_error(PlayFabAdminAPI.ResetPassword, {"Token": "A" * 43, "Password": "abcdefgh"})
    assert_error(err, "AuthTokenDoesNotExist", "Token")
    err = sdk_error(PlayFabAdminAPI.ResetPassword, {"Password": "abcdefgh"})
    assert assert_error(err, "InvalidParams", "Token")["errorDetails"]["Token"] == ["The Token field is required."]
    err = sdk_error(PlayFabAdminAPI.SendAccountRecoveryEmail, {"Email": f"nobody-{uuid.uuid4().hex}@example.com"})
    assert_error(err, "NoContactEmailAddressFound", "Email")
    err = sdk_error(PlayFabAdminAPI.SendAccountRecoveryEmail, {"Email": "not an email"})
    assert assert_error(err, "InvalidEmailAddress", "Email")["errorDetails"] == {
        "Email": ["Email address is not valid."]
    }


def test_client_errors_and_an_unknown_email_answer_as_a_known_one(pf: Server, mailbox):
    err = sdk_error(PlayFabClientAPI.SendAccountRecoveryEmail, {"TitleId": TITLE_ID, "Email": "nope"})
    assert_error(err, "InvalidEmailAddress", "Email")
    err = sdk_error(PlayFabClientAPI.SendAccountRecoveryEmail, {"TitleId": "OTHER", "Email": "a@b.example"})
    assert_error(err, "InvalidTitleId", "TitleId")
    err = sdk_error(PlayFabClientAPI.SendAccountRecoveryEmail, {"TitleId": TITLE_ID})
    assert assert_error(err, "InvalidParams", "Email")["errorDetails"]["Email"] == ["The Email field is required."]

    unknown = f"nobody-{uuid.uuid4().hex}@example.com"
    _, known = email_player(pf)
    raw = {"X-ReportErrorAsSuccess": "true"}
    answers = [
        pf.post("/Client/SendAccountRecoveryEmail", {"TitleId": TITLE_ID, "Email": e}, raw) for e in (unknown, known)
    ]
    assert answers[0].content == answers[1].content == b'{"code":200,"status":"OK","data":{}}'
    mailbox[0].wait_for(known)
    assert mailbox[0].to(unknown) == []  # sent after the unknown one, and only the known one arrived

    # Per email asked for (3 in 15 minutes here), known or not, with the same refusal.
    for address in (unknown, known):
        for _ in range(2):
            assert client_send(address) == {}
        err = sdk_error(PlayFabClientAPI.SendAccountRecoveryEmail, {"TitleId": TITLE_ID, "Email": address})
        refused = err.error
        assert (refused["error"], refused["errorCode"], refused["code"]) == (
            "APIClientRequestRateLimitExceeded",
            1199,
            429,
        )
        assert 0 < refused["retryAfterSeconds"] <= 900


def test_a_new_link_replaces_the_one_before(pf: Server, mailbox):
    playfab_id, address = email_player(pf)
    sdk.call(PlayFabAdminAPI.SendAccountRecoveryEmail, {"Email": address})
    first = token_of(link_in(mailbox[0].wait_for(address)[0]))
    sdk.call(PlayFabAdminAPI.SendAccountRecoveryEmail, {"Email": address})
    second = token_of(link_in(mailbox[0].wait_for(address, 2)[1]))
    assert first != second
    err = sdk_error(PlayFabAdminAPI.ResetPassword, {"Token": first, "Password": "from-the-first"})
    assert_error(err, "AuthTokenDoesNotExist", "Token")
    assert sdk.call(PlayFabAdminAPI.ResetPassword, {"Token": second, "Password": "from-the-second"}) == {}
    assert password_works(pf, playfab_id, "from-the-second")


def test_racing_resets_with_one_token_apply_once(pf: Server, mailbox):
    playfab_id, address = email_player(pf)
    sdk.call(PlayFabAdminAPI.SendAccountRecoveryEmail, {"Email": address})
    token = token_of(link_in(mailbox[0].wait_for(address)[0]))
    racers = 8
    barrier = threading.Barrier(racers, timeout=60)
    results: list[tuple[int, dict[str, Any]]] = [(0, {})] * racers
    clients = [httpx.Client(verify=False, timeout=60) for _ in range(racers)]

    def reset(i: int) -> None:
        clients[i].get(pf.url + "/No/Warmup")  # each on its own connection, opened before the race
        barrier.wait()
        resp = clients[i].post(
            pf.url + "/Admin/ResetPassword",
            json={"Token": token, "Password": f"racer-password-{i}"},
            headers={"X-SecretKey": SECRET_KEY},
        )
        results[i] = (resp.status_code, resp.json())

    threads = [threading.Thread(target=reset, args=(i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for client in clients:
        client.close()
    winners = [i for i, (status, _) in enumerate(results) if status == 200]
    assert len(winners) == 1, results
    losers = {body["error"] for status, body in results if status != 200}
    assert losers == {"AuthTokenAlreadyUsedToResetPassword"}, results
    assert password_works(pf, playfab_id, f"racer-password-{winners[0]}")


class ReadsTogether:
    """A store whose first `racers` reads of one partition wait for each other, so every racer has read
    the unspent token before any of them writes: the etag alone must then decide who spends it."""

    def __init__(self, store: Any, pk: str, racers: int) -> None:
        self._store, self._pk, self._left = store, pk, racers
        self._barrier = asyncio.Barrier(racers)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def read(self, container: str, pk: str, doc_id: str) -> Any:
        doc = await self._store.read(container, pk, doc_id)
        if pk == self._pk and self._left > 0:
            self._left -= 1
            await asyncio.wait_for(self._barrier.wait(), 30)
        return doc


def test_resets_that_all_read_the_unspent_token_first_still_apply_once(pf: Server):
    playfab_id, _ = email_player(pf)
    racers = 4

    async def race(store: Any) -> list[Any]:
        settings = load_settings(pf.env)
        token = await recovery.issue_token(SimpleNamespace(store=store, settings=settings), playfab_id)
        pk = recovery_token_pk(hashlib.sha256(token.encode()).hexdigest())
        together = SimpleNamespace(store=ReadsTogether(store, pk, racers), settings=settings)
        attempts = [recovery.reset_password(together, token, f"together-{i}") for i in range(racers)]
        return await asyncio.gather(*attempts, return_exceptions=True)

    outcomes = _with_store(pf, race)
    assert sum(1 for o in outcomes if o == playfab_id) == 1, outcomes
    refused = [o for o in outcomes if o != playfab_id]
    assert {(o.name, o.error_code) for o in refused} == {("AuthTokenAlreadyUsedToResetPassword", 1329)}, outcomes


def test_a_link_past_its_lifetime_is_refused(pf: Server, mailbox):
    playfab_id, address = email_player(pf)
    sdk.call(PlayFabAdminAPI.SendAccountRecoveryEmail, {"Email": address})
    link = link_in(mailbox[0].wait_for(address)[0])
    pf.extra["clock"].advance(TTL + 1)
    err = sdk_error(PlayFabAdminAPI.ResetPassword, {"Token": token_of(link), "Password": "too-late-password"})
    assert_error(err, "AuthTokenExpired", "Token")
    page = httpx.get(link, verify=False)
    assert page.status_code == 400 and "This link has expired." in page.text
    assert password_works(pf, playfab_id, OLD_PASSWORD)


def test_every_recovery_endpoint_through_the_node_sdk(host: Server, mailbox):
    sdk.point_at(host)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REQUESTS_CA_BUNDLE", str(host.extra["ca"]))
        playfab_id, address = email_player(host)
    client_send, admin_send = run_node_calls(
        host.url,
        host.extra["ca"],
        [
            {
                "api": "PlayFabClient",
                "method": "SendAccountRecoveryEmail",
                "request": {"TitleId": TITLE_ID, "Email": address},
            },
            {"api": "PlayFabAdmin", "method": "SendAccountRecoveryEmail", "request": {"Email": address}},
        ],
    )
    assert client_send == {"ok": True, "data": {}} and admin_send == {"ok": True, "data": {}}
    first, second = (token_of(link_in(m)) for m in mailbox[0].wait_for(address, 2))
    tokens = {first, second}
    answers = run_node_calls(
        host.url,
        host.extra["ca"],
        [
            {"api": "PlayFabAdmin", "method": "ResetPassword", "request": {"Token": t, "Password": "node-password"}}
            for t in sorted(tokens)
        ],
    )
    # The later email's token works; the earlier one was replaced by it (which arrived first is not fixed).
    assert sorted(a["ok"] for a in answers) == [False, True], answers
    (refused,) = [a["error"] for a in answers if not a["ok"]]
    assert (refused["error"], refused["errorCode"]) == ("AuthTokenDoesNotExist", 1327)
    assert password_works(host, playfab_id, "node-password")


# --- Without a mail server: the outbox; and the per-address throttle ---


@pytest.fixture(scope="module")
def outbox_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("recovery-outbox")
    with running_server(directory, **ROOMY, RATE_LIMIT_RECOVERY_ADDRESS="2/3600") as srv:
        yield srv


def _wait_for_files(folder: Path, count: int, timeout: float = 30.0) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(folder.glob("*.eml")) if folder.is_dir() else []
        if len(files) >= count:
            return files
        time.sleep(0.05)
    raise AssertionError(f"{count} .eml file(s) did not appear in {folder} within {timeout} s")


def test_without_smtp_messages_go_to_a_private_outbox_and_addresses_are_throttled(outbox_host: Server):
    sdk.point_at(outbox_host)
    playfab_id, address = email_player(outbox_host)
    assert "recovery emails are written to" in outbox_host.log()
    assert client_send(address) == {}
    (path,) = _wait_for_files(outbox_host.data_dir / "outbox", 1)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
    assert isinstance(message, EmailMessage) and message["To"] == address
    link = link_in(message)
    assert link.startswith(outbox_host.url + "/account/reset-password?token=")
    page = httpx.post(
        link.split("?")[0], data={"token": token_of(link), "password": "outbox-pass", "confirm": "outbox-pass"}
    )
    assert page.status_code == 200 and "Password changed" in page.text
    assert password_works(outbox_host, playfab_id, "outbox-pass")

    assert client_send(f"other-{uuid.uuid4().hex}@example.com") == {}  # the address's second
    err = sdk_error(PlayFabClientAPI.SendAccountRecoveryEmail, {"TitleId": TITLE_ID, "Email": address})
    assert (err.error["error"], err.error["code"]) == ("APIClientRequestRateLimitExceeded", 429)
    assert 3000 < err.error["retryAfterSeconds"] <= 3600
    # The title's calls are not throttled.
    assert sdk.call(PlayFabAdminAPI.SendAccountRecoveryEmail, {"Email": address}) == {}


def test_forgetting_a_player_deletes_its_token(pf: Server, mailbox):
    """Deleting a player calls recovery.forget: the token lives outside the player's partition."""
    playfab_id, address = email_player(pf)
    sdk.call(PlayFabAdminAPI.SendAccountRecoveryEmail, {"Email": address})
    token = token_of(link_in(mailbox[0].wait_for(address)[0]))
    pk = recovery_token_pk(hashlib.sha256(token.encode()).hexdigest())
    assert _with_store(pf, lambda store: store.read(LOOKUPS, pk, RECOVERY_TOKEN_DOC)) is not None
    _with_store(pf, lambda store: recovery.forget(store, playfab_id))
    assert _with_store(pf, lambda store: store.read(LOOKUPS, pk, RECOVERY_TOKEN_DOC)) is None
    err = sdk_error(PlayFabAdminAPI.ResetPassword, {"Token": token, "Password": "after-forgetting"})
    assert_error(err, "AuthTokenDoesNotExist", "Token")


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"SMTP_HOST": "mail.example"}, "SMTP_SENDER is required when SMTP_HOST is set"),
        ({"PUBLIC_URL": "ftp://game.example"}, "PUBLIC_URL must start with https://"),
        ({"SMTP_TLS": "sometimes"}, "SMTP_TLS"),
        ({"RECOVERY_TOKEN_TTL_SECONDS": "5"}, "RECOVERY_TOKEN_TTL_SECONDS"),
    ],
)
def test_mail_and_recovery_settings_that_cannot_work_stop_start_up(tmp_path, overrides, problem):
    with pytest.raises(SettingsError) as raised:
        load_settings(base_env(tmp_path, **overrides))
    assert problem in str(raised.value)


def test_the_smtp_password_never_reaches_the_logs_or_an_answer(tmp_path, caplog):
    """A mail server that will not take the login: the failure names its kind, never the password."""
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, auth_require_tls=False)
    controller.start()
    try:
        settings = load_settings(
            base_env(
                tmp_path,
                SMTP_HOST="127.0.0.1",
                SMTP_PORT=str(port),
                SMTP_TLS="none",
                SMTP_SENDER="noreply@game.example",
                SMTP_USERNAME="game",
                SMTP_PASSWORD="hunter2-very-secret",
            )
        )
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "noreply@game.example", "p@game.example", "x"
        with pytest.raises(DeliveryFailed) as raised:
            asyncio.run(deliver(settings, message))
    finally:
        controller.stop()
    assert "hunter2" not in str(raised.value) and "hunter2" not in caplog.text
    assert box.messages == []


def test_the_link_and_its_page_work_under_a_route_prefix_as_on_azure(tmp_path):
    import playfab.PlayFabSettings as settings

    with running_server(tmp_path, AzureFunctionsJobHost__extensions__http__routePrefix="playfab") as srv:
        sdk.point_at(srv)
        settings.ProductionEnvironmentURL = srv.url + "/playfab"
        playfab_id, address = email_player(srv)
        assert sdk.call(PlayFabAdminAPI.SendAccountRecoveryEmail, {"Email": address}) == {}
        (path,) = _wait_for_files(srv.data_dir / "outbox", 1)
        link = link_in(email.message_from_bytes(path.read_bytes(), policy=default_policy))
        assert link.startswith(srv.url + "/playfab/account/reset-password?token=")
        page = httpx.get(link)
        assert page.status_code == 200 and 'action="reset-password"' in page.text  # resolves under the prefix
        fields = {"token": token_of(link), "password": "prefixed-pass", "confirm": "prefixed-pass"}
        done = httpx.post(srv.url + "/playfab/account/reset-password", data=fields)
        assert done.status_code == 200 and "Password changed" in done.text
        assert password_works(srv, playfab_id, "prefixed-pass")
        assert httpx.get(srv.url + "/account/reset-password").status_code == 404  # only under the prefix


def test_mail_goes_out_over_starttls_with_a_login(tmp_path):
    """SMTP_TLS=starttls with SMTP_USERNAME/SMTP_PASSWORD against a server that takes a login only over
    TLS, whose certificate the host trusts through SSL_CERT_FILE (the system's trust store otherwise)."""
    import ssl

    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = self_signed_cert(tmp_path)
    logins_seen: list[tuple[bytes, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        logins_seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"game", b"smtp-secret-pass"))

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box, port = Mailbox(), free_port()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    smtp = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_TLS": "starttls",
        "SMTP_SENDER": "noreply@game.example",
        "SMTP_USERNAME": "game",
        "SMTP_PASSWORD": "smtp-secret-pass",
        "SSL_CERT_FILE": str(cert),
    }
    try:
        with running_server(tmp_path / "data", **smtp) as srv:
            sdk.point_at(srv)
            _, address = email_player(srv)
            assert sdk.call(PlayFabAdminAPI.SendAccountRecoveryEmail, {"Email": address}) == {}
            (message,) = box.wait_for(address)
            assert link_in(message).startswith(srv.url + "/account/reset-password?token=")
            assert "smtp-secret-pass" not in srv.log()
    finally:
        controller.stop()
    assert logins_seen == [(b"game", b"smtp-secret-pass")]


def test_the_page_is_throttled_per_address_like_any_anonymous_call(tmp_path):
    with running_server(tmp_path, RATE_LIMITS="client", RATE_LIMIT_ANONYMOUS_CALLS="2/600") as srv:
        page = srv.url + "/account/reset-password"
        for _ in range(2):
            assert httpx.get(page, params={"token": "A" * 43}).status_code == 400  # counted: unknown token
        refused = httpx.get(page, params={"token": "A" * 43})
        assert refused.status_code == 429 and "Too many attempts" in refused.text
        assert 0 < int(refused.headers["retry-after"]) <= 600
        assert refused.headers["referrer-policy"] == "no-referrer" and refused.headers["cache-control"] == "no-store"
