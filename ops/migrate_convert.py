"""ops/migrate's conversions: PlayFab's answers (as its public API gives them) turned into the documents
this project's core would have written for the same state. Pure functions: no call is made here."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from ops import records
from shared.auth import accounts
from shared.auth.logins import LoginKind
from shared.features.custom_data import DEFAULT_PERMISSION
from shared.wire.jsontext import dumps_bytes

# The account field that says a username or email account has no password here yet.
PASSWORD_RESET_REQUIRED: Final = accounts.PASSWORD_RESET_REQUIRED
FIRST_SEQ: Final = 1  # the change counter of a migrated statistic (statistic_values.py `Seq`)


# Where UserAccountInfo shows each login identity this project keeps: (field, its inner field).
_LOGIN_FIELDS: Final = (
    (LoginKind.CUSTOM_ID, "CustomIdInfo", "CustomId"),
    (LoginKind.ANDROID_DEVICE_ID, "AndroidDeviceInfo", "AndroidDeviceId"),
    (LoginKind.IOS_DEVICE_ID, "IosDeviceInfo", "IosDeviceId"),
    (LoginKind.SERVER_CUSTOM_ID, "ServerCustomIdInfo", "CustomId"),
)
# UserAccountInfo's Origination, for putting the identity an account was made with first in "Logins"
# (shared/features/account_info.py reads the first listed as its origin).
_ORIGINS: Final = {
    "CustomId": (LoginKind.CUSTOM_ID,),
    "Android": (LoginKind.ANDROID_DEVICE_ID,),
    "IOS": (LoginKind.IOS_DEVICE_ID,),
    "ServerCustomId": (LoginKind.SERVER_CUSTOM_ID,),
    "Organic": (LoginKind.USERNAME, LoginKind.EMAIL),
}


def epoch(text: str) -> float:
    """A PlayFab DateTime ("2024-05-01T12:00:00.123Z", any number of fraction digits) as epoch seconds,
    to the millisecond: what the core keeps, so `iso` gives the same text back."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000) / 1000


def doc(container: str, partition: str, doc_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return records.Doc(container, partition, doc_id, body).to_json()


def account_body(info: dict[str, Any]) -> dict[str, Any]:
    """The account document (shared/auth/accounts.py) for PlayFab's UserAccountInfo."""
    title_info = info.get("TitleInfo") or {}
    logins: dict[LoginKind, str] = {}
    for kind, name, inner in _LOGIN_FIELDS:
        value = (info.get(name) or {}).get(inner)
        if value:
            logins[kind] = str(value)
    if info.get("Username"):
        logins[LoginKind.USERNAME] = str(info["Username"])
    email = (info.get("PrivateInfo") or {}).get("Email")
    if email:
        logins[LoginKind.EMAIL] = str(email)
    first = [kind for kind in _ORIGINS.get(str(title_info.get("Origination")), ()) if kind in logins]
    ordered = {kind: logins[kind] for kind in [*first, *logins]}
    created = title_info.get("Created") or info["Created"]
    account: dict[str, Any] = {
        "PlayFabId": str(info["PlayFabId"]),
        "TitlePlayerAccountId": str(title_info["TitlePlayerAccount"]["Id"]),
        "Created": epoch(str(created)),
        "Logins": {kind.value: value for kind, value in ordered.items()},
    }
    if title_info.get("LastLogin"):
        account["LastLogin"] = epoch(str(title_info["LastLogin"]))
    if title_info.get("DisplayName"):
        account["DisplayName"] = str(title_info["DisplayName"])
    if LoginKind.USERNAME in logins or LoginKind.EMAIL in logins:
        account[PASSWORD_RESET_REQUIRED] = True
    return account


def password_logins(account: dict[str, Any]) -> dict[str, str] | None:
    if PASSWORD_RESET_REQUIRED not in account:
        return None
    logins = account["Logins"]
    named = {"Username": logins.get(LoginKind.USERNAME.value), "Email": logins.get(LoginKind.EMAIL.value)}
    return {"PlayFabId": account["PlayFabId"], **{k: v for k, v in named.items() if v}}


# UserAccountInfo fields that are not linked identities.
_NOT_IDENTITIES: Final = frozenset({"TitleInfo", "PrivateInfo"})


def unkept_identities(info: dict[str, Any]) -> list[str]:
    """The linked identities UserAccountInfo shows that this project has no login for (SteamInfo,
    GoogleInfo, OpenIdInfo...): the account is copied, without them."""
    kept = {name for _, name, _ in _LOGIN_FIELDS} | _NOT_IDENTITIES
    return sorted(
        name
        for name, value in info.items()
        if name.endswith("Info") and name not in kept and value not in (None, {}, [])
    )


def ban_body(playfab_id: str, info: dict[str, Any]) -> dict[str, Any]:
    """A ban as the account keeps it (shared/features/bans.py), for PlayFab's BanInfo. Its BanId is made
    this project's shape (16 hex digits, then the PlayFabId) from the source's, the same on every run,
    so UpdateBans and RevokeBans find it here."""
    digest = hashlib.sha256(str(info["BanId"]).encode("utf-8")).hexdigest()[:16].upper()
    ban: dict[str, Any] = {
        "BanId": digest + playfab_id,
        "Created": epoch(str(info["Created"])),
        "Expires": epoch(str(info["Expires"])) if info.get("Expires") else None,
        "Active": bool(info.get("Active")),
    }
    for name in ("IPAddress", "MACAddress", "Reason"):
        if info.get(name) is not None:
            ban[name] = info[name]
    return ban


def data_body(answer: dict[str, Any]) -> dict[str, Any] | None:
    """A data family's document (shared/features/custom_data.py), or None when the source has never
    written it (version 0, no keys)."""
    version = int(answer.get("DataVersion") or 0)
    records = answer.get("Data") or {}
    if version == 0 and not records:
        return None
    data = {
        str(key): {
            "Value": record.get("Value", ""),
            "Permission": record.get("Permission") or DEFAULT_PERMISSION,
            "LastUpdated": record["LastUpdated"],
        }
        for key, record in records.items()
    }
    return {"DataVersion": version, "Data": data}


def statistics_body(
    values: Sequence[tuple[str, int, int]], reached: Callable[[str, int], float]
) -> dict[str, Any] | None:
    """A player's or character's statistics document (shared/features/statistic_values.py) for the
    (name, version, value) it holds, each reached at `reached(name, version)`."""
    if not values:
        return None
    stats: dict[str, Any] = {}
    for name, version, value in values:
        entry = stats.setdefault(name, {"Seq": FIRST_SEQ, "Values": {}})
        entry["Values"][str(version)] = {"Value": value, "Reached": reached(name, version)}
    return {"Statistics": stats}


def properties_body(answer: dict[str, Any]) -> dict[str, Any] | None:
    version = int(answer.get("PropertiesVersion") or 0)
    if version == 0:
        return None
    properties = {str(p["Name"]): p["Value"] for p in answer.get("Properties") or []}
    return {"PropertiesVersion": version, "Properties": properties}


def profile_body(profile: dict[str, Any], playfab_id: str | None) -> dict[str, Any]:
    """An entity profile document (shared/auth/entities.py, shared/features/objects.py) for PlayFab's
    EntityProfileBody read with DataAsObject false (objects as their JSON text)."""
    body: dict[str, Any] = {"Created": epoch(str(profile["Created"]))}
    if playfab_id is not None:
        body["PlayFabId"] = playfab_id
    version = int(profile.get("VersionNumber") or 0)
    objects = profile.get("Objects") or {}
    if version or objects:
        body["ProfileVersion"] = version
        body["Objects"] = {str(name): _object_text(obj) for name, obj in objects.items()}
    return body


def _object_text(obj: dict[str, Any]) -> str:
    if obj.get("EscapedDataObject") is not None:
        return str(obj["EscapedDataObject"])
    # A source that answered with the object itself, not its text.
    return dumps_bytes(obj.get("DataObject")).decode("utf-8")


def group_body(answer: dict[str, Any]) -> dict[str, Any]:
    """A shared group's document (shared/features/shared_groups.py) for GetSharedGroupData with its
    members. PlayFab does not say when a group was made: its oldest key's LastUpdated, else the epoch."""
    data = {
        str(key): {
            "Value": record.get("Value", ""),
            "Permission": record.get("Permission") or DEFAULT_PERMISSION,
            "LastUpdated": record["LastUpdated"],
            **({"LastUpdatedBy": record["LastUpdatedBy"]} if record.get("LastUpdatedBy") else {}),
        }
        for key, record in (answer.get("Data") or {}).items()
    }
    stamps = [epoch(str(record["LastUpdated"])) for record in data.values()]
    body: dict[str, Any] = {
        "Members": [str(member) for member in answer.get("Members") or []],
        "Data": data,
        "Created": min(stamps) if stamps else 0.0,
    }
    if int(answer.get("DataVersion") or 0):  # this project's answer carries it when asked; PlayFab's never
        body["DataVersion"] = int(answer["DataVersion"])
    return body
