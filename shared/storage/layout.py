"""Where every document lives: the one place container names, partition keys and document ids are spelled.

A document is addressed by (container, partition key, id). Both stores create the containers below;
every module builds its addresses with these names, so a reader finds the whole layout here.

  players  - pk = PlayFabId: the account, its password hash, per-type custom data, the custom properties,
             the characters and their data, the shared groups the player is in, the player's rate-limit
             counters
  lookups  - pk = a login identity ("<kind>:<key>", e.g. "custom:<CustomId>", "email:<address>"):
             which player it belongs to (shared/auth/logins.py);
             pk = "meta", id "title": the title the store belongs to (shared/store_title.py);
             pk = "meta", id "titledata.<kind>": the title's title data, internal title data or
             publisher data, one document per kind (shared/features/title_data.py);
  players  - pk = PlayFabId: the account, its password hash, per-type custom data, the characters and
             their data and statistics, the shared groups the player is in, the player's statistics,
             the player's rate-limit counters
  lookups  - pk = a login identity ("<kind>:<key>", e.g. "custom:<CustomId>", "email:<address>"):
             which player it belongs to (shared/auth/logins.py);
             pk = "meta", id "title": the title the store belongs to (shared/store_title.py);
             pk = "meta", id "statistics": the title's statistic definitions;
             pk = a client address ("address!<address>"): its account-creation, recovery and
             wrong-password counters (shared/limits/password_attempts.py);
             pk = "recovery!<SHA-256 of a password-reset token>": that token (shared/features/recovery.py);
             pk = "recovery-email!<SHA-256 of an email address>": recovery emails asked for it
  groups   - pk = SharedGroupId: membership and group data
  entities - pk = "<EntityType>!<EntityId>": the entity profile with its objects, the entity's counters
  events   - pk = an event stream (`event_stream`): one player's events (about the player, its
             title_player_account entity and its characters) or the title's; an append-only log of
             batches, each batch one record, kept for EVENTS_RETENTION_DAYS (BaseStore.append_events);
             also each owner's key history (`history_stream`), kept for KEY_HISTORY_RETENTION_DAYS

Leaderboard indexes are apart from the documents (Store.put_rank and the rank_* reads): one board per
owner kind, statistic and version (rank_board). On Cosmos DB a board is one partition of the `ranks`
container (RANKS, pk = the board, id = the entity id), with the composite index its queries need; on
SQLite it is the rows of the `ranks` table with that board.
"""

from __future__ import annotations

from typing import Final

# Containers.
PLAYERS: Final = "players"
LOOKUPS: Final = "lookups"
GROUPS: Final = "groups"
ENTITIES: Final = "entities"
CONTAINERS: Final = (PLAYERS, LOOKUPS, GROUPS, ENTITIES)  # the document containers
# The event log: batches of events, not documents; the stores keep it apart (a table of its own in
# SQLite, a container with a default TTL in Cosmos DB).
EVENTS: Final = "events"

# Documents in a player's partition (players/<PlayFabId>).
ACCOUNT_DOC: Final = "account"
CHARACTERS_DOC: Final = "characters"  # the player's characters
MEMBERSHIPS_DOC: Final = "sharedgroups"  # the shared groups the player is in
PASSWORD_DOC: Final = "password"  # the player's password hash, apart from the account (shared/auth/passwords.py)
CUSTOM_PROPERTIES_DOC: Final = "customproperties"  # the player's custom properties and their PropertiesVersion
PLAYER_STATISTICS_DOC: Final = "statistics"  # the player's statistic values, per version (features/statistic_values.py)
# RECOVERY_DOC (below, with the recovery tokens) also lives here.


def player_data_doc(kind: str) -> str:
    """One family's custom data of a player (e.g. "data.UserData")."""
    return f"data.{kind}"


def character_data_doc(character_id: str, kind: str) -> str:
    """One family's custom data of a character, under its owning player."""
    return f"character.{character_id}.{kind}"


def character_statistics_doc(character_id: str) -> str:
    """A character's statistic values, under its owning player."""
    return f"character.{character_id}.statistics"


# Lookups: login identities, the store's meta record, client addresses.
LOGIN_DOC: Final = "login"  # in a login identity's partition: {"PlayFabId": ...}
META_PK: Final = "meta"  # no login identity has this partition key: identities are "<kind>:<id>"
TITLE_DOC: Final = "title"  # in META_PK: the title the store belongs to
STATISTICS_DOC: Final = (
    "statistics"  # in META_PK: the title's statistic definitions (features/statistic_definitions.py)
)


def title_data_doc(kind: str) -> str:
    """In META_PK: one kind of title-wide data ("title", "internal", "publisher"), every key in one document,
    so a read of all keys is one point read and a write is one atomic update."""
    return f"titledata.{kind}"


def login_pk(kind: str, key: str) -> str:
    """The lookup partition of a login identity (kinds and keys: shared/auth/logins.py)."""
    return f"{kind}:{key}"


def address_pk(address: str) -> str:
    """The lookup partition holding a client address's counters."""
    return f"address!{address}"


# Account recovery: password-reset tokens and their counters, addressed by hashes only, so neither a
# token nor an email address asked about appears in a key.
RECOVERY_TOKEN_DOC: Final = "token"  # in recovery_token_pk: {"PlayFabId", "Expires", "Used"}
RECOVERY_DOC: Final = "recovery"  # in a player's partition: the hash of its latest reset token


def recovery_token_pk(token_hash: str) -> str:
    return f"recovery!{token_hash}"


def recovery_email_pk(email_hash: str) -> str:
    return f"recovery-email!{email_hash}"


# Shared groups (groups/<SharedGroupId>).
GROUP_DOC: Final = "group"


# Entities (entities/<EntityType>!<EntityId>).
PROFILE_DOC: Final = "profile"
# In an entity's partition: the answers of server functions run as it with an IdempotencyKey.
FUNCTION_RUNS_DOC: Final = "functionruns"


def entity_pk(entity_type: str, entity_id: str) -> str:
    return f"{entity_type}!{entity_id}"


# Leaderboard indexes: not documents, but entries kept in order by the store (Store.put_rank).
RANKS: Final = "ranks"  # the Cosmos DB container of every board; pk = the board
RANK_OWNERS: Final = ("player", "character")


def rank_board(owner: str, statistic: str, version: int) -> str:
    """The board of one statistic's version, for players' or characters' values. The statistic's name
    comes last, so no name can make two boards' keys equal."""
    if owner not in RANK_OWNERS:
        raise ValueError(f"a board's owner is one of {RANK_OWNERS}: {owner!r}")
    if type(version) is not int or version < 0:
        raise ValueError(f"a statistic version is a whole number >= 0: {version!r}")
    return f"{owner}!{version}!{statistic}"


# Every player of the title, one entry each (value 0, so in PlayFabId order) on a board of its own:
# listing players ("All Players") pages this index by key instead of scanning accounts. No statistic's
# board can have this name: theirs are "<owner>!<version>!<name>".
PLAYER_DIRECTORY: Final = "directory!players"
# Every shared group, the same way (groups have no other index: PlayFab has no call that lists them).
GROUP_DIRECTORY: Final = "directory!groups"


def rate_limit_doc(limit: str) -> str:
    """A rate-limit counter: one per partition and limit, so bounded whatever ids a request names."""
    return f"ratelimit.{limit}"


# Event streams (events/<stream>).
STREAM_PLAYER: Final = "player"
STREAM_TITLE: Final = "title"


def event_stream(kind: str, owner_id: str) -> str:
    """The stream holding a player's events (kind STREAM_PLAYER, its PlayFabId) or the title's
    (STREAM_TITLE, its TitleId). A player's characters and entity write into the player's stream, so
    one batch of a player's events is one record, whatever entities it names."""
    return f"{kind}!{owner_id}"


# Key history (shared/features/key_history.py): one stream per owner in the event log. A player's holds the
# changes of its data, its characters' data, its custom properties and its entities' objects; a shared
# group's its data; the title's the title entity's objects.
HISTORY_PLAYER: Final = "history.player"
HISTORY_GROUP: Final = "history.group"
HISTORY_TITLE: Final = "history.title"
# In a tracked document: the history entries written with the change, not yet moved to the history stream.
HISTORY_OUTBOX: Final = "HistoryOutbox"


def history_stream(kind: str, owner_id: str) -> str:
    return event_stream(kind, owner_id)
