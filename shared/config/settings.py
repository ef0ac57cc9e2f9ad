"""The one settings object, read from the environment once (local.settings.json `Values` land there too).

Each setting is declared once, as a row of shared/config/settings_table.py (`Settings` is defined there, one
field per row); this module reads the rows, then applies the rules that tie settings together.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shared.config.rate_windows import SETTING_OF as RATE_LIMIT_SETTINGS
from shared.config.rate_windows import parse_windows
from shared.config.settings_table import CHOICE, FLAG, KEYS, PATH, SETTINGS, TEXT, WHOLE, WINDOWS, Setting, default
from shared.config.settings_table import Settings as Settings  # the app imports it from here
from shared.config.unresolved_references import CheckedEnvironment
from shared.wire.validation import PlayerProfileViewConstraints

MIN_SIGNING_KEY_CHARS = 32
MIN_SECRET_KEY_CHARS = 16
# Entries a changed document may hold before they are moved to the event log; an outbox that cannot be
# moved (an event log refusing writes) stops at twice this (shared/features/key_history.py).
MAX_HISTORY_OUTBOX_BYTES = 131_072
DEFAULT_MAX_REQUEST_BYTES = int(default("MAX_REQUEST_BYTES"))
SIGNING_KEY_FILE = "token-signing.key"
# Key files this process generated: such a file is no sign that a store existed before (sqlite_files.py).
_generated_key_files: set[Path] = set()


class SettingsError(Exception):
    """Missing or invalid settings; the message lists every problem found."""


def _choices(choices: tuple[str, ...]) -> str:
    """How a problem names the accepted values: 'a' or 'b'; one of a, b, c."""
    if len(choices) == 2:
        return " or ".join(repr(c) for c in choices)
    return "one of " + ", ".join(choices)


def _parse(setting: Setting, raw: str) -> Any:
    """The value of one setting's text; ValueError carries the problem, worded as the setting's kind."""
    kind, name = setting.kind, setting.name
    if kind is WHOLE:
        try:
            value = int(raw)
        except ValueError:
            raise ValueError(f"{name} must be a whole number, got {raw!r}") from None
        if value < setting.minimum:
            raise ValueError(f"{name} must be at least {setting.minimum}, got {value}")
        return value
    if kind is FLAG:
        if raw.lower() in ("1", "true", "yes"):
            return True
        if raw.lower() in ("0", "false", "no"):
            return False
        raise ValueError(f"{name} must be true or false, got {raw.lower()!r}")
    if kind is CHOICE:
        if raw.lower() not in setting.choices:
            raise ValueError(f"{name} must be {_choices(setting.choices)}, got {raw.lower()!r}")
        return raw.lower()
    if kind is KEYS:
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if kind is PATH:
        return Path(raw)
    if kind is WINDOWS:
        try:
            return parse_windows(raw)
        except ValueError as exc:
            raise ValueError(f"{name} must be calls/seconds pairs like 10/15,150/300 ({exc})") from None
    assert kind is TEXT, kind
    return raw


def _read(setting: Setting, env: Mapping[str, str], problems: list[str]) -> Any:
    """A setting's value: its text, else its default; a bad value is a problem and leaves the default."""
    fallback = None if setting.default is None else _parse(setting, setting.default)
    raw = env.get(setting.name, "").strip()
    if not raw:
        return () if fallback is None and setting.kind is KEYS else fallback
    try:
        return _parse(setting, raw)
    except ValueError as exc:
        problems.append(str(exc))
        return fallback


def local_signing_key(sqlite_path: Path) -> str:
    """The signing key kept beside the embedded store, created on first use (local runs only)."""
    key_file = sqlite_path.parent / SIGNING_KEY_FILE
    if not key_file.parent.exists():
        key_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text(encoding="utf-8").strip()
    _generated_key_files.add(key_file.resolve())
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_urlsafe(48))
    return key_file.read_text(encoding="utf-8").strip()


def generated_signing_key_files() -> frozenset[Path]:
    return frozenset(_generated_key_files)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    problems: list[str] = []
    # Every read goes through the check, so a setting added later cannot take a reference as its value.
    env = CheckedEnvironment(os.environ if env is None else env, problems)
    read = {s.name: _read(s, env, problems) for s in SETTINGS if s.field}

    # Rules that tie settings together, written once here.
    if not read["PLAYFAB_TITLE_ID"]:
        problems.append("PLAYFAB_TITLE_ID is required (the title id your game sends as TitleId)")
    secret_keys: tuple[str, ...] = read["PLAYFAB_SECRET_KEYS"]
    if not secret_keys:
        problems.append("PLAYFAB_SECRET_KEYS is required (comma-separated title secret keys)")
    elif any(len(k) < MIN_SECRET_KEY_CHARS for k in secret_keys):
        problems.append(f"every key in PLAYFAB_SECRET_KEYS must be at least {MIN_SECRET_KEY_CHARS} characters")
    backend = read["STORAGE_BACKEND"]
    if backend == "cosmos" and not read["COSMOS_ENDPOINT"]:
        problems.append("COSMOS_ENDPOINT is required when STORAGE_BACKEND=cosmos")
    if read["PUBLIC_URL"] and not str(read["PUBLIC_URL"]).lower().startswith(("https://", "http://")):
        problems.append("PUBLIC_URL must start with https:// (or http:// on a developer's machine)")
    if read["SMTP_HOST"] and not read["SMTP_SENDER"]:
        problems.append("SMTP_SENDER is required when SMTP_HOST is set (the From address of recovery emails)")
    signing_keys: tuple[str, ...] = read["TOKEN_SIGNING_KEY"]
    if not signing_keys and backend == "cosmos":
        problems.append("TOKEN_SIGNING_KEY is required when STORAGE_BACKEND=cosmos")
    elif not signing_keys and not problems:  # a local run makes its own, only once the rest is valid
        signing_keys = read["TOKEN_SIGNING_KEY"] = (local_signing_key(read["SQLITE_PATH"]),)
    if any(len(k) < MIN_SIGNING_KEY_CHARS for k in signing_keys):
        problems.append(f"every key in TOKEN_SIGNING_KEY must be at least {MIN_SIGNING_KEY_CHARS} characters")
    if read["KEY_HISTORY_OUTBOX_BYTES"] > MAX_HISTORY_OUTBOX_BYTES:
        problems.append(f"KEY_HISTORY_OUTBOX_BYTES must be at most {MAX_HISTORY_OUTBOX_BYTES}")
    if read["KEY_HISTORY_RETENTION_DAYS"] > read["EVENTS_RETENTION_DAYS"]:
        problems.append(
            "KEY_HISTORY_RETENTION_DAYS must be at most EVENTS_RETENTION_DAYS (the history is in the event log)"
        )
    if read["COSMOS_OPERATION_TIMEOUT_SECONDS"] < read["COSMOS_REQUEST_TIMEOUT_SECONDS"]:
        problems.append("COSMOS_OPERATION_TIMEOUT_SECONDS must be at least COSMOS_REQUEST_TIMEOUT_SECONDS")
    unknown_options = [o for o in read["CLIENT_PROFILE_OPTIONS"] if o not in PlayerProfileViewConstraints.model_fields]
    if unknown_options:
        problems.append(
            f"CLIENT_PROFILE_OPTIONS names no ProfileConstraints field: {', '.join(unknown_options)} "
            "(use names such as ShowDisplayName, ShowCreated, ShowLastLogin)"
        )
    if problems:
        raise SettingsError("invalid settings:\n  - " + "\n  - ".join(problems))
    fields = {s.field: read[s.name] for s in SETTINGS if s.field}
    windows = {limit: read[name] for limit, name in RATE_LIMIT_SETTINGS.items()}
    return Settings(**fields, rate_limit_windows=windows)
