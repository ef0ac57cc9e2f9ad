"""The custom-data families, declared once: where each lives and who may read, write and see what.

Endpoints are generated from these declarations (shared/features/data_api.py); no family has code of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Final

from shared.config.settings import Settings
from shared.features.custom_data import Limits
from shared.storage.layout import character_data_doc, player_data_doc

PUBLIC_ONLY: Final = frozenset({"Public"})


class Scope(Enum):
    PLAYER = "player"  # one document per player and data type
    CHARACTER = "character"  # one document per character and data type, under the owning player


@dataclass(frozen=True)
class Family:
    api_name: str  # the part of the endpoint name between Get/Update and Data
    kind: str  # the data type, part of the document id
    scope: Scope
    client_reads: bool  # a player may read it with a session ticket (the title always may)
    client_writes: bool  # the owning player may write it (the title always may)
    on_admin: bool = True  # the Admin API has it (the Server API always does)
    takes_permission: bool = True  # the update request has a Permission field
    others_see: frozenset[str] = PUBLIC_ONLY  # the permissions another player's reads may return

    def doc_id(self, character_id: str | None = None) -> str:
        if self.scope is Scope.CHARACTER:
            assert character_id
            return character_data_doc(character_id, self.kind)
        return player_data_doc(self.kind)

    def limits(self, settings: Settings) -> Limits:
        if self.scope is Scope.CHARACTER:
            keys, value = settings.character_data_max_keys, settings.character_data_max_value_bytes
        else:
            keys, value = settings.user_data_max_keys, settings.user_data_max_value_bytes
        return Limits(keys, value, settings.data_max_document_bytes)


# Publisher data: with one title per deployment, the publisher scope is the player, kept apart from title data.
FAMILIES: Final = (
    Family("User", "user", Scope.PLAYER, client_reads=True, client_writes=True),
    Family("UserReadOnly", "readonly", Scope.PLAYER, client_reads=True, client_writes=False),
    Family("UserInternal", "internal", Scope.PLAYER, client_reads=False, client_writes=False, takes_permission=False),
    Family("UserPublisher", "publisher", Scope.PLAYER, client_reads=True, client_writes=True),
    Family("UserPublisherReadOnly", "publisher_readonly", Scope.PLAYER, client_reads=True, client_writes=False),
    Family(
        "UserPublisherInternal",
        "publisher_internal",
        Scope.PLAYER,
        client_reads=False,
        client_writes=False,
        takes_permission=False,
    ),
    Family("Character", "user", Scope.CHARACTER, client_reads=True, client_writes=True, on_admin=False),
    Family("CharacterReadOnly", "readonly", Scope.CHARACTER, client_reads=True, client_writes=False, on_admin=False),
    Family("CharacterInternal", "internal", Scope.CHARACTER, client_reads=False, client_writes=False, on_admin=False),
)

CHARACTER_FAMILIES: Final = tuple(f for f in FAMILIES if f.scope is Scope.CHARACTER)
