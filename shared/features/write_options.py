"""Opt-in write options beyond PlayFab, read from a request field or the `CustomTags` entry of the same name.

Typed SDKs (C#, C++) cannot add a field to a request, but every request carries `CustomTags`, a string
map; so an option may arrive either way. Both present and different is refused, as is a value that is
not what the option takes. A request that names neither gets PlayFab's behaviour.

`ExpectedDataVersion` is the precondition of every `Update*Data` call: the data type must be at exactly
that `DataVersion`, checked inside the write's own store mutation (`require_data_version`), so the check
and the write are one atomic step. `GetDataVersion` asks `GetSharedGroupData` for the group's
`DataVersion`, which PlayFab's answer does not carry.
"""

from __future__ import annotations

import re
from typing import Final

from shared.wire.errors import PlayFabError, invalid_params
from shared.wire.validation import Request

EXPECTED_DATA_VERSION: Final = "ExpectedDataVersion"
GET_DATA_VERSION: Final = "GetDataVersion"
# A DataVersion is a UInt32, as PlayFab's IfChangedFromDataVersion: ASCII digits only in a tag.
_MAX_VERSION: Final = 2**32 - 1
_DIGITS: Final = re.compile(r"[0-9]{1,10}")


def _tag(req: Request, name: str) -> str | None:
    return (req.CustomTags or {}).get(name)


def expected_data_version(req: Request) -> int | None:
    """The version the caller expects the data type at, or None when it sets no precondition."""
    field: int | None = getattr(req, EXPECTED_DATA_VERSION, None)
    tag = _tag(req, EXPECTED_DATA_VERSION)
    if tag is None:
        return field
    if not _DIGITS.fullmatch(tag) or int(tag) > _MAX_VERSION:
        raise invalid_params("CustomTags", f"{EXPECTED_DATA_VERSION} must be a whole number from 0 to {_MAX_VERSION}.")
    if field is not None and field != int(tag):
        raise invalid_params(
            EXPECTED_DATA_VERSION, f"{EXPECTED_DATA_VERSION} is {field} but its CustomTags entry says {tag}."
        )
    return int(tag)


def get_data_version(req: Request) -> bool:
    """Whether a read asks for the DataVersion its PlayFab answer leaves out."""
    field: bool | None = getattr(req, GET_DATA_VERSION, None)
    tag = _tag(req, GET_DATA_VERSION)
    if tag is None:
        return bool(field)
    if tag.lower() not in ("true", "false"):
        raise invalid_params("CustomTags", f"{GET_DATA_VERSION} must be true or false.")
    if field is not None and field != (tag.lower() == "true"):
        raise invalid_params(GET_DATA_VERSION, f"{GET_DATA_VERSION} is {field} but its CustomTags entry says {tag}.")
    return tag.lower() == "true"


def require_data_version(current: int, expected: int | None) -> None:
    """Inside a store mutation: refuse the write, carrying the current version, when it is not the expected one."""
    if expected is not None and expected != current:
        raise PlayFabError(
            "PreconditionFailed",
            f"ExpectedDataVersion is {expected} but the data is at version {current}.",
            {"DataVersion": [str(current)]},
        )
