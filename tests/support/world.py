"""Two players, each with a character, for the suites that aim every endpoint at someone's data.

Also: reading a server's SQLite file directly, to prove what a call did or did not write.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from shared.auth.tokens import ENTITY_TOKEN, SESSION_TICKET, Signer
from shared.storage.layout import STREAM_PLAYER, entity_pk, event_stream
from tests.support.credentials import Player, login
from tests.support.server import SECRET_KEY, SIGNING_KEY, TITLE_ID, Server

TITLE_PLAYER, CHARACTER = "title_player_account", "character"
# One client: building one per request costs more than the request. Not verifying suits the tests' own
# loopback hosts, some of which serve HTTPS with a self-signed certificate (for the Node SDK).
HTTP = httpx.Client(timeout=60, verify=False)


@dataclass(frozen=True)
class Target:
    """A player with its credentials, a character it owns, a shared group it is the member of, and a friend
    (another player, in no group) to add to it."""

    player: Player
    character_id: str
    group_id: str
    friend_id: str

    @property
    def playfab_id(self) -> str:
        return self.player.playfab_id

    @property
    def entity(self) -> dict[str, str]:
        return {"Id": self.player.entity_id, "Type": TITLE_PLAYER}

    def partitions(self) -> tuple[str, ...]:
        """Every partition holding this player's records."""
        return (
            self.playfab_id,
            entity_pk(TITLE_PLAYER, self.player.entity_id),
            entity_pk(CHARACTER, self.character_id),
            self.group_id,
            event_stream(STREAM_PLAYER, self.playfab_id),
        )


# Every target's friend has a username, an email and a password, so password logins have a legitimate
# request that touches none of the target's own records.
TARGET_PASSWORD = "target-password-1"


def target_username(t: Target) -> str:
    return f"u{t.friend_id.lower()}"


def target_email(t: Target) -> str:
    return f"{t.friend_id.lower()}@players.example"


def new_target(server: Server) -> Target:
    player = login(server)
    grant = {"PlayFabId": player.playfab_id, "CharacterName": "Hero", "CharacterType": "Knight"}
    character = HTTP.post(server.url + "/Server/GrantCharacterToUser", json=grant, headers={"X-SecretKey": SECRET_KEY})
    group = HTTP.post(
        server.url + "/Client/CreateSharedGroup", json={}, headers={"X-Authorization": player.ticket}
    ).json()["data"]
    friend = login(server)
    credentials = {
        "Username": f"u{friend.playfab_id.lower()}",
        "Email": f"{friend.playfab_id.lower()}@players.example",
        "Password": TARGET_PASSWORD,
    }
    added = HTTP.post(
        server.url + "/Client/AddUsernamePassword", json=credentials, headers={"X-Authorization": friend.ticket}
    )
    assert added.json()["code"] == 200, added.text
    return Target(player, character.json()["data"]["CharacterId"], group["SharedGroupId"], friend.playfab_id)


def fresh_group_id() -> str:
    return f"g-{uuid.uuid4()}"


def expired_ticket(player: Player) -> str:
    """Signed with the server's own key, so only its age is wrong."""
    token, _ = Signer((SIGNING_KEY,), TITLE_ID).issue(
        SESSION_TICKET, {"p": player.playfab_id, "e": player.entity_id}, -60
    )
    return token


def expired_entity_token(player: Player) -> str:
    claims = {"t": TITLE_PLAYER, "i": player.entity_id, "p": player.playfab_id}
    token, _ = Signer((SIGNING_KEY,), TITLE_ID).issue(ENTITY_TOKEN, claims, -60)
    return token


def forged(token: str) -> str:
    """The same claims with a signature that is not the server's."""
    payload, _, mac = token.partition(".")
    return f"{payload}.{'A' if mac[0] != 'A' else 'B'}{mac[1:]}"


def fresh_custom_id() -> str:
    return f"w-{uuid.uuid4()}"


def snapshot(server: Server, partitions: tuple[str, ...]) -> set[tuple[Any, ...]]:
    """Every record (and its etag) in the given partitions and event streams, read straight from the
    server's file."""
    conn = sqlite3.connect(server.data_dir / "playfab.sqlite3", timeout=30)
    try:
        marks = ",".join("?" * len(partitions))
        rows = conn.execute(f"SELECT container, pk, id, etag FROM documents WHERE pk IN ({marks})", partitions)
        events = conn.execute(f"SELECT 'events', stream, seq, '' FROM events WHERE stream IN ({marks})", partitions)
        # A data document's records kept a row per key (shared/storage/sqlite_parts.py), each by its text.
        parts = conn.execute(
            f"SELECT 'parts', pk, id || '/' || key, entry FROM parts WHERE pk IN ({marks})", partitions
        )
        return set(rows.fetchall()) | set(events.fetchall()) | set(parts.fetchall())
    finally:
        conn.close()


def stored_anywhere(server: Server, text: str) -> bool:
    """Whether any record on the server holds `text`."""
    conn = sqlite3.connect(server.data_dir / "playfab.sqlite3", timeout=30)
    try:
        in_documents = conn.execute("SELECT count(*) FROM documents WHERE instr(body, ?) > 0", (text,)).fetchone()[0]
        in_events = conn.execute("SELECT count(*) FROM events WHERE instr(body, ?) > 0", (text,)).fetchone()[0]
        in_parts = conn.execute("SELECT count(*) FROM parts WHERE instr(entry, ?) > 0", (text,)).fetchone()[0]
        return in_documents + in_events + in_parts > 0
    finally:
        conn.close()


def all_records(server: Server) -> set[tuple[Any, ...]]:
    conn = sqlite3.connect(server.data_dir / "playfab.sqlite3", timeout=30)
    try:
        documents = conn.execute("SELECT container, pk, id, etag FROM documents").fetchall()
        events = conn.execute("SELECT 'events', stream, seq, '' FROM events").fetchall()
        parts = conn.execute("SELECT 'parts', pk, id || '/' || key, entry FROM parts").fetchall()
        return set(documents) | set(events) | set(parts)
    finally:
        conn.close()
