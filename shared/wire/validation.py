"""Every request model, with PlayFab's field names, and the one place that turns bad input into InvalidParams.

Models are strict (a number is not a string, except as a `Data` value) and ignore fields they do not know,
as PlayFab does. Problems are worded as PlayFab words them (shared/wire/validation_messages.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError

from shared.wire.data_values import data_text
from shared.wire.errors import PlayFabError
from shared.wire.validation_messages import field_message

M = TypeVar("M", bound="Request")

NonEmpty = Annotated[str, StringConstraints(min_length=1)]
# Ids this backend issues are 16 characters; a longer one names nothing here, and refusing it up front
# keeps every key within what each store accepts (Cosmos DB: 255-character ids, 2 KB partition keys).
MAX_ID_CHARS = 64
IdText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID_CHARS)]
Tags = dict[str, str] | None


class Request(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    CustomTags: Tags = None


class EntityKey(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    Id: IdText
    Type: NonEmpty | None = None
    TypeString: str | None = None  # deprecated alias of Type, still sent by some callers

    def type_name(self) -> str | None:
        return self.Type or self.TypeString


class GetPlayerCombinedInfoRequestParams(BaseModel):
    """PlayFab's GetPlayerCombinedInfoRequestParams: what a login or GetPlayerCombinedInfo brings back."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    GetUserAccountInfo: bool = False
    GetUserInventory: bool = False
    GetUserVirtualCurrency: bool = False
    GetUserData: bool = False
    UserDataKeys: list[str] | None = None
    GetUserReadOnlyData: bool = False
    UserReadOnlyDataKeys: list[str] | None = None
    GetCharacterInventories: bool = False
    GetCharacterList: bool = False
    GetTitleData: bool = False
    TitleDataKeys: list[str] | None = None
    GetPlayerStatistics: bool = False
    PlayerStatisticNames: list[str] | None = None
    GetPlayerProfile: bool = False
    ProfileConstraints: dict[str, Any] | None = None


class LoginRequest(Request):
    """What every login shares."""

    TitleId: NonEmpty
    CreateAccount: bool | None = None
    InfoRequestParameters: GetPlayerCombinedInfoRequestParams | None = None


class LoginWithCustomIDRequest(LoginRequest):
    CustomId: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None


class GetEntityTokenRequest(Request):
    Entity: EntityKey | None = None


def _field_of(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "request"


def parse(model: type[M], payload: dict[str, Any]) -> M:
    """Validate a decoded JSON object, or raise InvalidParams naming each bad field in PlayFab's words."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        details: dict[str, list[str]] = {}
        for problem in exc.errors(include_url=False, include_input=False):
            details.setdefault(_field_of(problem["loc"]), []).append(field_message(model, problem))
        raise PlayFabError("InvalidParams", "Invalid input parameters", details) from None


Permission = Literal["Private", "Public"]


# Entity objects and profiles (Object/*, Profile/*).

Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]


class SetObject(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    ObjectName: NonEmpty
    DataObject: Any = None  # any JSON value; null (or absent) with no EscapedDataObject removes the object
    EscapedDataObject: str | None = None
    DeleteObject: bool | None = None


class SetObjectsRequest(Request):
    Entity: EntityKey
    ExpectedProfileVersion: Int32 | None = None
    Objects: list[SetObject]


class GetObjectsRequest(Request):
    Entity: EntityKey
    EscapeObject: bool | None = None


class GetEntityProfileRequest(Request):
    Entity: EntityKey | None = None
    DataAsObject: bool | None = None


class GetEntityProfilesRequest(Request):
    Entities: Annotated[list[EntityKey], Field(min_length=1, max_length=25)]
    DataAsObject: bool | None = None


# --- Custom data (user, read-only, internal, publisher and character data) ---

UInt32 = Annotated[int, Field(ge=0, le=2**32 - 1)]


def _permission_name(value: Any) -> Any:
    # PlayFab's docs spell the default "private"; accept either case and store the enum's own spelling.
    if isinstance(value, str) and value.lower() in ("private", "public"):
        return value.capitalize()
    return value


# A second name for the enum (models have a field called Permission), tolerant of case.
UserDataPermission = Annotated[Permission, BeforeValidator(_permission_name)]


class PlayerTarget(Request):
    """Server and Admin calls name the player they act on."""

    PlayFabId: IdText


class OptionalPlayerTarget(Request):
    """Client reads may name another player; omitted, they read the calling player."""

    PlayFabId: IdText | None = None


# A string, or a JSON number or boolean kept as its text (shared/wire/data_values.py); null removes the key.
DataValue = Annotated[str | None, BeforeValidator(data_text)]


class DataChanges(Request):
    """What every Update*Data call carries; a null value removes its key."""

    Data: dict[str, DataValue] | None = None
    KeysToRemove: list[str] | None = None


class UpdateUserInternalDataRequest(DataChanges, PlayerTarget):
    pass


class ClientUpdateUserDataRequest(DataChanges):
    Permission: UserDataPermission | None = None


class UpdateUserDataRequest(ClientUpdateUserDataRequest, PlayerTarget):
    pass


class ClientUpdateCharacterDataRequest(ClientUpdateUserDataRequest):
    CharacterId: IdText


class UpdateCharacterDataRequest(ClientUpdateCharacterDataRequest, PlayerTarget):
    pass


class DataQuery(Request):
    """What every Get*Data call carries."""

    Keys: list[str] | None = None
    IfChangedFromDataVersion: UInt32 | None = None


class ClientGetUserDataRequest(DataQuery, OptionalPlayerTarget):
    pass


class GetUserDataRequest(DataQuery, PlayerTarget):
    pass


class ClientGetCharacterDataRequest(ClientGetUserDataRequest):
    CharacterId: IdText


class GetCharacterDataRequest(GetUserDataRequest):
    CharacterId: IdText


# --- Characters ---

CharacterNameText = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class GrantCharacterToUserRequest(PlayerTarget):
    CharacterName: CharacterNameText
    CharacterType: Annotated[str, StringConstraints(min_length=1, max_length=100)]


class ClientGrantCharacterToUserRequest(Request):
    ItemId: NonEmpty
    CharacterName: CharacterNameText
    CatalogVersion: str | None = None


class ClientListUsersCharactersRequest(OptionalPlayerTarget):
    pass


class ListUsersCharactersRequest(PlayerTarget):
    pass


class DeleteCharacterFromUserRequest(PlayerTarget):
    CharacterId: IdText
    SaveCharacterInventory: bool


# --- Shared groups ---

GroupId = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class CreateSharedGroupRequest(Request):
    SharedGroupId: GroupId | None = None  # omitted: a new unique id is assigned


class SharedGroupMembersRequest(Request):
    """AddSharedGroupMembers and RemoveSharedGroupMembers."""

    SharedGroupId: GroupId
    PlayFabIds: Annotated[list[IdText], Field(min_length=1, max_length=100)]


class GetSharedGroupDataRequest(Request):
    SharedGroupId: GroupId
    Keys: list[str] | None = None  # omitted: every key; empty: none
    GetMembers: bool | None = None


class UpdateSharedGroupDataRequest(DataChanges):
    SharedGroupId: GroupId
    Permission: UserDataPermission | None = None


class DeleteSharedGroupRequest(Request):
    SharedGroupId: GroupId


# --- Bans and player deletion (Admin and Server) ---

MAX_BANS_PER_CALL = 100  # PlayFab's limit on BanUsers, UpdateBans and RevokeBans
BanReason = Annotated[str, StringConstraints(max_length=140)]
# An address as the caller names it: kept and returned, at most the longest IPv6 text with a zone.
AddressText = Annotated[str, StringConstraints(max_length=64)]


def _utc_time(value: Any) -> Any:
    """PlayFab's DateTime text (ISO 8601; no offset means UTC) as seconds since the epoch."""
    if not isinstance(value, str):
        raise ValueError("must be a date and time in ISO 8601 form")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError("must be a date and time in ISO 8601 form") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


UtcTime = Annotated[float, BeforeValidator(_utc_time)]


class BanRequest(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    PlayFabId: IdText
    DurationInHours: UInt32 | None = None  # absent: permanent
    IPAddress: AddressText | None = None
    MACAddress: AddressText | None = None
    Reason: BanReason | None = None


class BanUsersRequest(Request):
    Bans: Annotated[list[BanRequest], Field(min_length=1, max_length=MAX_BANS_PER_CALL)]


class GetUserBansRequest(PlayerTarget):
    pass


class UpdateBanRequest(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    BanId: IdText
    Active: bool | None = None
    Expires: UtcTime | None = None
    IPAddress: AddressText | None = None
    MACAddress: AddressText | None = None
    Permanent: bool | None = None
    Reason: BanReason | None = None


class UpdateBansRequest(Request):
    Bans: Annotated[list[UpdateBanRequest], Field(min_length=1, max_length=MAX_BANS_PER_CALL)]


class RevokeBansRequest(Request):
    BanIds: Annotated[list[IdText], Field(min_length=1, max_length=MAX_BANS_PER_CALL)]


class RevokeAllBansForUserRequest(PlayerTarget):
    pass


class DeletePlayerRequest(PlayerTarget):
    pass
