"""Every request model, with PlayFab's field names, and the one place that turns bad input into InvalidParams.

Models are strict (a number is not a string, except as a `Data` value) and ignore fields they do not know,
as PlayFab does. Problems are worded as PlayFab words them (shared/wire/validation_messages.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal, TypeVar

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


# Every request model's: strict types, unknown fields ignored (as PlayFab does), frozen. Each model's
# validator is built when it is first used, not at import: a Functions instance starting to serve one
# endpoint builds one model, not all of them (import of function_app in about half the time).
_MODEL_CONFIG: Final = ConfigDict(strict=True, extra="ignore", frozen=True, defer_build=True)


class Request(BaseModel):
    model_config = _MODEL_CONFIG

    CustomTags: Tags = None


class Retryable(Request):
    """A write that may carry an IdempotencyKey (an extension; shared/features/idempotency.py checks it)."""

    IdempotencyKey: str | None = None


class EntityKey(BaseModel):
    model_config = _MODEL_CONFIG

    Id: IdText
    Type: NonEmpty | None = None
    TypeString: str | None = None  # deprecated alias of Type, still sent by some callers

    def type_name(self) -> str | None:
        return self.Type or self.TypeString


class PlayerProfileViewConstraints(BaseModel):
    """PlayFab's PlayerProfileViewConstraints: which PlayerProfileModel fields to show (each defaults to false)."""

    model_config = _MODEL_CONFIG

    ShowAvatarUrl: bool = False
    ShowBannedUntil: bool = False
    ShowCampaignAttributions: bool = False
    ShowContactEmailAddresses: bool = False
    ShowCreated: bool = False
    ShowDisplayName: bool = False
    ShowExperimentVariants: bool = False
    ShowLastLogin: bool = False
    ShowLinkedAccounts: bool = False
    ShowLocations: bool = False
    ShowMemberships: bool = False
    ShowOrigination: bool = False
    ShowPushNotificationRegistrations: bool = False
    ShowStatistics: bool = False
    ShowTags: bool = False
    ShowTotalValueToDateInUsd: bool = False
    ShowValuesToDate: bool = False


class GetPlayerCombinedInfoRequestParams(BaseModel):
    """PlayFab's GetPlayerCombinedInfoRequestParams: what a login or GetPlayerCombinedInfo brings back."""

    model_config = _MODEL_CONFIG

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
    ProfileConstraints: PlayerProfileViewConstraints | None = None


class LoginRequest(Request):
    """What every login shares."""

    TitleId: NonEmpty
    CreateAccount: bool | None = None
    InfoRequestParameters: GetPlayerCombinedInfoRequestParams | None = None


class LoginWithCustomIDRequest(LoginRequest):
    CustomId: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None


# --- Username, email and password logins (shared/features/registration.py, password_logins.py) ---
# Lengths and formats are checked by the features (shared/features/credentials.py), in PlayFab's words.


class RegisterPlayFabUserRequest(LoginRequest):
    Username: str | None = None
    Email: str | None = None
    Password: str | None = None
    DisplayName: str | None = None
    RequireBothUsernameAndEmail: bool | None = None


class LoginWithEmailAddressRequest(LoginRequest):
    Email: NonEmpty
    Password: NonEmpty


class LoginWithPlayFabRequest(LoginRequest):
    Username: NonEmpty
    Password: NonEmpty


class AddUsernamePasswordRequest(Request):
    Username: NonEmpty
    Email: NonEmpty
    Password: NonEmpty


class GetEntityTokenRequest(Request):
    Entity: EntityKey | None = None


# --- Device logins, links and unlinks, server custom ids, session ticket checks ---

# Every login identity is a lookup document's partition key: bounded as CustomId is.
LoginIdText = Annotated[str, StringConstraints(min_length=1, max_length=100)]
# Device model and OS version: accepted as PlayFab accepts them, not kept.
DeviceInfoText = Annotated[str, StringConstraints(max_length=256)]


class LoginWithAndroidDeviceIDRequest(LoginRequest):
    AndroidDeviceId: LoginIdText | None = None
    AndroidDevice: DeviceInfoText | None = None
    OS: DeviceInfoText | None = None


class LoginWithIOSDeviceIDRequest(LoginRequest):
    DeviceId: LoginIdText | None = None
    DeviceModel: DeviceInfoText | None = None
    OS: DeviceInfoText | None = None


class LinkCustomIDRequest(Request):
    CustomId: LoginIdText
    ForceLink: bool | None = None


class LinkAndroidDeviceIDRequest(Request):
    AndroidDeviceId: LoginIdText
    AndroidDevice: DeviceInfoText | None = None
    OS: DeviceInfoText | None = None
    ForceLink: bool | None = None


class LinkIOSDeviceIDRequest(Request):
    DeviceId: LoginIdText
    DeviceModel: DeviceInfoText | None = None
    OS: DeviceInfoText | None = None
    ForceLink: bool | None = None


class UnlinkCustomIDRequest(Request):
    CustomId: LoginIdText | None = None  # omitted: the one the player has


class UnlinkAndroidDeviceIDRequest(Request):
    AndroidDeviceId: LoginIdText | None = None


class UnlinkIOSDeviceIDRequest(Request):
    DeviceId: LoginIdText | None = None


class LoginWithServerCustomIdRequest(Request):
    """A Server login: no TitleId (the secret key names the title), otherwise as LoginRequest."""

    ServerCustomId: LoginIdText
    CreateAccount: bool | None = None
    InfoRequestParameters: GetPlayerCombinedInfoRequestParams | None = None


class LinkServerCustomIdRequest(Request):
    PlayFabId: IdText
    ServerCustomId: LoginIdText
    ForceLink: bool | None = None


class UnlinkServerCustomIdRequest(Request):
    PlayFabId: IdText
    ServerCustomId: LoginIdText


# PlayFab: "Cannot contain more than 25 identifiers."
MAX_PLAYFAB_IDS_PER_LOOKUP = 25


class GetServerCustomIDsFromPlayFabIDsRequest(Request):
    PlayFabIDs: Annotated[list[IdText], Field(max_length=MAX_PLAYFAB_IDS_PER_LOOKUP)]


class AuthenticateSessionTicketRequest(Request):
    # Tickets this backend issues are about 200 characters.
    SessionTicket: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


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
    model_config = _MODEL_CONFIG

    ObjectName: NonEmpty
    DataObject: Any = None  # any JSON value; null (or absent) with no EscapedDataObject removes the object
    EscapedDataObject: str | None = None
    DeleteObject: bool | None = None


class SetObjectsRequest(Retryable):
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


class DataChanges(Retryable):
    """What every Update*Data call carries; a null value removes its key."""

    Data: dict[str, DataValue] | None = None
    KeysToRemove: list[str] | None = None
    ExpectedDataVersion: UInt32 | None = None  # an extension beyond PlayFab (shared/features/write_options.py)


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
    GetDataVersion: bool | None = None  # an extension beyond PlayFab (shared/features/write_options.py)


class UpdateSharedGroupDataRequest(DataChanges):
    SharedGroupId: GroupId
    Permission: UserDataPermission | None = None


class DeleteSharedGroupRequest(Request):
    SharedGroupId: GroupId


class GetPlayerSharedGroupsRequest(PlayerTarget):
    """Admin/ext-GetPlayerSharedGroups, an extension: the shared groups one player is a member of."""


# --- Title data, internal title data, publisher data, time ---


class GetTitleDataRequest(Request):
    """GetTitleData and GetTitleInternalData."""

    Keys: list[str] | None = None  # omitted: every key; empty: none
    OverrideLabel: str | None = None  # accepted; this backend keeps no overrides


class GetPublisherDataRequest(Request):
    Keys: list[str]  # required in PlayFab's spec


class SetTitleDataRequest(Request):
    """SetTitleData, SetTitleInternalData and SetPublisherData: one key; a null or absent Value removes it."""

    Key: NonEmpty
    Value: str | None = None


class GetTimeRequest(Request):
    pass


# --- Account info, player profiles, display names, combined info ---

# PlayFab: "must be between 3 and 25 characters".
DisplayNameText = Annotated[str, StringConstraints(min_length=3, max_length=25)]
# An email or username to look up: anything longer names no account (usernames are 3-20, emails 254).
LookupText = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class GetAccountInfoRequest(OptionalPlayerTarget):
    """Client: by PlayFabId, Username, Email or TitleDisplayName, in that order; none of them: the caller."""

    Username: LookupText | None = None
    Email: LookupText | None = None
    TitleDisplayName: LookupText | None = None


class GetUserAccountInfoRequest(PlayerTarget):
    pass


class LookupUserAccountInfoRequest(GetAccountInfoRequest):
    """Admin/GetUserAccountInfo: one of PlayFabId, Email, Username, TitleDisplayName (no caller to default to)."""


class ClientGetPlayerProfileRequest(OptionalPlayerTarget):
    ProfileConstraints: PlayerProfileViewConstraints | None = None


class GetPlayerProfileRequest(PlayerTarget):
    ProfileConstraints: PlayerProfileViewConstraints | None = None


# --- Segments: the built-in "All Players" only ---

# PlayFab: MaxBatchSize at most 10,000; SecondsToLive 300 by default, at most 5,400.
MAX_SEGMENT_BATCH = 10_000
DEFAULT_SECONDS_TO_LIVE = 300
MAX_SECONDS_TO_LIVE = 5_400


class GetAllSegmentsRequest(Request):
    pass


class GetPlayersInSegmentRequest(Request):
    SegmentId: Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID_CHARS)]
    ContinuationToken: Annotated[str, StringConstraints(min_length=1, max_length=1024)] | None = None
    MaxBatchSize: Annotated[int, Field(ge=0, le=MAX_SEGMENT_BATCH)] | None = None
    SecondsToLive: Annotated[int, Field(ge=0, le=MAX_SECONDS_TO_LIVE)] | None = None
    GetProfilesAsync: bool | None = None


class UpdateUserTitleDisplayNameRequest(Request):
    DisplayName: DisplayNameText


class AdminUpdateUserTitleDisplayNameRequest(UpdateUserTitleDisplayNameRequest, PlayerTarget):
    pass


class ClientGetPlayerCombinedInfoRequest(OptionalPlayerTarget):
    InfoRequestParameters: GetPlayerCombinedInfoRequestParams


class GetPlayerCombinedInfoRequest(PlayerTarget):
    InfoRequestParameters: GetPlayerCombinedInfoRequestParams


# --- Account recovery (Client/Admin SendAccountRecoveryEmail, Admin/ResetPassword) ---

EmailText = Annotated[str, StringConstraints(min_length=1, max_length=254)]  # RFC 5321's longest path


class AdminSendAccountRecoveryEmailRequest(Request):
    Email: EmailText
    EmailTemplateId: Annotated[str, StringConstraints(max_length=100)] | None = None


class SendAccountRecoveryEmailRequest(AdminSendAccountRecoveryEmailRequest):
    TitleId: NonEmpty


class ResetPasswordRequest(Request):
    Password: Annotated[str, StringConstraints(min_length=6, max_length=100)]
    Token: Annotated[str, StringConstraints(min_length=1, max_length=256)]


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
    model_config = _MODEL_CONFIG

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
    model_config = _MODEL_CONFIG

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


# Server functions (CloudScript/ExecuteFunction, Client/ and Server/ExecuteCloudScript).

RevisionOption = Literal["Live", "Latest", "Specific"]


class ExecuteFunctionRequest(Retryable):
    FunctionName: NonEmpty
    FunctionParameter: Any = None  # any JSON value, handed to the function as its argument
    GeneratePlayStreamEvent: bool | None = None
    Entity: EntityKey | None = None


class ExecuteCloudScriptRequest(Retryable):
    FunctionName: NonEmpty
    FunctionParameter: Any = None
    GeneratePlayStreamEvent: bool | None = None
    RevisionSelection: RevisionOption | None = None
    SpecificRevision: Int32 | None = None


class ExecuteCloudScriptServerRequest(ExecuteCloudScriptRequest):
    PlayFabId: IdText


# --- Player custom properties (Client, Server and Admin) ---
# Names and values are checked by shared/features/custom_properties.py, with PlayFab's 19000-19007 codes.


class UpdateProperty(BaseModel):
    model_config = _MODEL_CONFIG

    Name: str
    Value: Any  # a string, number or boolean; anything else is PlayerCustomPropertiesValueIsInvalidType


class ClientUpdatePlayerCustomPropertiesRequest(Retryable):
    Properties: Annotated[list[UpdateProperty], Field(min_length=1)]
    ExpectedPropertiesVersion: Int32 | None = None


class UpdatePlayerCustomPropertiesRequest(ClientUpdatePlayerCustomPropertiesRequest, PlayerTarget):
    pass


class ClientDeletePlayerCustomPropertiesRequest(Retryable):
    PropertyNames: Annotated[list[str], Field(min_length=1)]  # PlayFab: "must be non-empty"
    ExpectedPropertiesVersion: Int32 | None = None


class DeletePlayerCustomPropertiesRequest(ClientDeletePlayerCustomPropertiesRequest, PlayerTarget):
    pass


class ClientGetPlayerCustomPropertyRequest(Request):
    PropertyName: str


class GetPlayerCustomPropertyRequest(ClientGetPlayerCustomPropertyRequest, PlayerTarget):
    pass


class ClientListPlayerCustomPropertiesRequest(Request):
    pass


class ListPlayerCustomPropertiesRequest(PlayerTarget):
    pass


# --- Events (shared/features/events.py): names, sizes and namespaces are checked there, in PlayFab's codes ---

EventNameText = Annotated[str, StringConstraints(min_length=1)]
EventBody = dict[str, Any] | None


class WriteClientPlayerEventRequest(Request):
    EventName: EventNameText
    Body: EventBody = None
    Timestamp: UtcTime | None = None


class WriteServerPlayerEventRequest(WriteClientPlayerEventRequest, PlayerTarget):
    pass


class WriteClientCharacterEventRequest(WriteClientPlayerEventRequest):
    CharacterId: IdText


class WriteServerCharacterEventRequest(WriteClientCharacterEventRequest, PlayerTarget):
    pass


class WriteTitleEventRequest(WriteClientPlayerEventRequest):
    pass


class EventContents(BaseModel):
    model_config = _MODEL_CONFIG

    CustomTags: Tags = None
    Entity: EntityKey | None = None
    EventNamespace: NonEmpty
    Name: NonEmpty
    OriginalId: Annotated[str, StringConstraints(max_length=MAX_ID_CHARS)] | None = None
    OriginalTimestamp: UtcTime | None = None
    Payload: EventBody = None
    PayloadJSON: str | None = None


class WriteEventsRequest(Request):
    # The count is EVENTS_MAX_PER_BATCH's to bound (the feature checks it); this bound only caps parsing.
    Events: Annotated[list[EventContents], Field(min_length=1, max_length=10_000)]


# The Admin extension that reads events back (shared/features/events.py, ARCHITECTURE.md "Extensions").
MAX_EVENTS_PER_READ = 1000


class ReadEventsRequest(Request):
    """One player's events (PlayFabId), or one entity's (Entity); newest first, `Count` a page."""

    PlayFabId: IdText | None = None
    Entity: EntityKey | None = None
    Count: Annotated[int, Field(ge=1, le=MAX_EVENTS_PER_READ)] | None = None
    ContinuationToken: Annotated[str, StringConstraints(max_length=100)] | None = None


# --- Statistics and leaderboards (shared/features/statistics.py, leaderboards.py) ---

# A statistic's name is part of its leaderboard's address: bounded, and without the characters a Cosmos DB
# id may not hold or control characters.
MAX_STATISTIC_NAME_CHARS = 128
StatisticNameText = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_STATISTIC_NAME_CHARS, pattern=r"^[^/\\?#\x00-\x1f\x7f]+$")
]
MAX_STATISTICS_PER_UPDATE = 25  # statistics one update call may name
MAX_STATISTICS_PER_READ = 100  # names one GetPlayerStatistics call may list
MAX_LEADERBOARD_RESULTS = 100  # PlayFab's maximum MaxResultsCount
DEFAULT_LEADERBOARD_RESULTS = 10  # PlayFab's default, where MaxResultsCount may be left out
StatisticAggregation = Literal["Last", "Min", "Max", "Sum"]
StatisticResetInterval = Literal["Never", "Hour", "Day", "Week", "Month"]
ResultsCount = Annotated[int, Field(ge=0, le=MAX_LEADERBOARD_RESULTS)]
Position = Annotated[int, Field(ge=0, le=2**31 - 1)]
VersionNumber = Annotated[int, Field(ge=0, le=2**31 - 1)]


class StatisticUpdate(BaseModel):
    model_config = _MODEL_CONFIG

    StatisticName: StatisticNameText
    Value: Int32
    Version: UInt32 | None = None


class StatisticNameVersion(BaseModel):
    model_config = _MODEL_CONFIG

    StatisticName: StatisticNameText
    Version: UInt32


class ClientUpdatePlayerStatisticsRequest(Retryable):
    Statistics: Annotated[list[StatisticUpdate], Field(max_length=MAX_STATISTICS_PER_UPDATE)]


class UpdatePlayerStatisticsRequest(ClientUpdatePlayerStatisticsRequest, PlayerTarget):
    ForceUpdate: bool | None = None


class ClientGetPlayerStatisticsRequest(Request):
    StatisticNames: Annotated[list[StatisticNameText], Field(max_length=MAX_STATISTICS_PER_READ)] | None = None
    StatisticNameVersions: Annotated[list[StatisticNameVersion], Field(max_length=MAX_STATISTICS_PER_READ)] | None = (
        None
    )


class GetPlayerStatisticsRequest(ClientGetPlayerStatisticsRequest, PlayerTarget):
    pass


class GetPlayerStatisticVersionsRequest(Request):
    StatisticName: StatisticNameText


class CreatePlayerStatisticDefinitionRequest(Request):
    StatisticName: StatisticNameText
    AggregationMethod: StatisticAggregation | None = None
    VersionChangeInterval: StatisticResetInterval | None = None


class UpdatePlayerStatisticDefinitionRequest(CreatePlayerStatisticDefinitionRequest):
    pass


class GetPlayerStatisticDefinitionsRequest(Request):
    pass


class IncrementPlayerStatisticVersionRequest(Request):
    StatisticName: StatisticNameText


class ClientGetLeaderboardRequest(Request):
    StatisticName: StatisticNameText
    StartPosition: Position
    MaxResultsCount: ResultsCount | None = None
    ProfileConstraints: PlayerProfileViewConstraints | None = None
    Version: VersionNumber | None = None
    UseSpecificVersion: bool | None = None


class GetLeaderboardRequest(ClientGetLeaderboardRequest):
    MaxResultsCount: ResultsCount


class ClientGetLeaderboardAroundPlayerRequest(OptionalPlayerTarget):
    StatisticName: StatisticNameText
    MaxResultsCount: ResultsCount | None = None
    ProfileConstraints: PlayerProfileViewConstraints | None = None
    Version: VersionNumber | None = None
    UseSpecificVersion: bool | None = None


class GetLeaderboardAroundUserRequest(ClientGetLeaderboardAroundPlayerRequest, PlayerTarget):
    MaxResultsCount: ResultsCount


class ClientUpdateCharacterStatisticsRequest(Retryable):
    CharacterId: IdText
    CharacterStatistics: (
        Annotated[dict[StatisticNameText, Int32], Field(max_length=MAX_STATISTICS_PER_UPDATE)] | None
    ) = None


class UpdateCharacterStatisticsRequest(ClientUpdateCharacterStatisticsRequest, PlayerTarget):
    pass


class ClientGetCharacterStatisticsRequest(Request):
    CharacterId: IdText


class GetCharacterStatisticsRequest(ClientGetCharacterStatisticsRequest, PlayerTarget):
    pass


class ClientGetCharacterLeaderboardRequest(Request):
    StatisticName: StatisticNameText
    StartPosition: Position
    MaxResultsCount: ResultsCount | None = None
    CharacterType: str | None = None


class GetCharacterLeaderboardRequest(ClientGetCharacterLeaderboardRequest):
    MaxResultsCount: ResultsCount


class ClientGetLeaderboardAroundCharacterRequest(Request):
    CharacterId: IdText
    StatisticName: StatisticNameText
    MaxResultsCount: ResultsCount | None = None
    CharacterType: str | None = None


class GetLeaderboardAroundCharacterRequest(ClientGetLeaderboardAroundCharacterRequest, PlayerTarget):
    MaxResultsCount: ResultsCount


class ClientGetLeaderboardForUsersCharactersRequest(Request):
    StatisticName: StatisticNameText
    MaxResultsCount: ResultsCount | None = None


class GetLeaderboardForUsersCharactersRequest(ClientGetLeaderboardForUsersCharactersRequest, PlayerTarget):
    pass


# The Admin extensions on each key's history (shared/features/key_history_api.py, ARCHITECTURE.md "Extensions").
MAX_HISTORY_PER_READ = 1000
HistoryTarget = Literal[
    "UserData",
    "UserReadOnlyData",
    "UserInternalData",
    "UserPublisherData",
    "UserPublisherReadOnlyData",
    "UserPublisherInternalData",
    "CharacterData",
    "CharacterReadOnlyData",
    "CharacterInternalData",
    "SharedGroupData",
    "Objects",
    "CustomProperties",
]


class KeyHistoryRequest(Request):
    """One key of one tracked document: `Target` names the kind, and PlayFabId (with CharacterId for
    character data), SharedGroupId or Entity (objects) its owner."""

    Target: HistoryTarget
    Key: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    PlayFabId: IdText | None = None
    CharacterId: IdText | None = None
    SharedGroupId: IdText | None = None
    Entity: EntityKey | None = None


class ReadKeyHistoryRequest(KeyHistoryRequest):
    Count: Annotated[int, Field(ge=1, le=MAX_HISTORY_PER_READ)] | None = None
    ContinuationToken: Annotated[str, StringConstraints(max_length=100)] | None = None


class RestoreKeyHistoryRequest(KeyHistoryRequest):
    EntryId: Annotated[str, StringConstraints(min_length=1, max_length=64)]
