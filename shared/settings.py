"""The one settings object, read from the environment once (local.settings.json `Values` land there too)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shared import rate_windows as limit_names
from shared.client_address import TRUST_CHOICES
from shared.rate_windows import CHARACTER_DATA, ENTITY_UPDATES, USER_DATA, Windows, parse_windows
from shared.rate_windows import DEFAULTS as RATE_LIMIT_DEFAULTS
from shared.rate_windows import SCOPES as RATE_LIMIT_SCOPES
from shared.unresolved_references import CheckedEnvironment

MIN_SIGNING_KEY_CHARS = 32
DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024
SIGNING_KEY_FILE = "token-signing.key"
# Key files this process generated: such a file is no sign that a store existed before (sqlite_files.py).
_generated_key_files: set[Path] = set()


class SettingsError(Exception):
    """Missing or invalid settings; the message lists every problem found."""


@dataclass(frozen=True)
class Settings:
    title_id: str
    secret_keys: tuple[str, ...]
    signing_keys: tuple[str, ...]  # first signs, all verify (rotation)
    storage_backend: str
    sqlite_path: Path
    cosmos_endpoint: str | None
    cosmos_key: str | None
    cosmos_database: str
    cosmos_verify_tls: bool
    max_request_bytes: int
    session_ttl_seconds: int
    entity_token_ttl_seconds: int
    # Entity object limits (PlayFab's tier table): player and character entities, then the title entity.
    player_object_count: int = 5
    player_object_bytes: int = 1_000
    title_object_count: int = 10
    title_object_bytes: int = 2_000
    object_name_max_chars: int = 64
    # Custom data limits (PlayFab's tier table), per update call and per stored data type.
    user_data_max_keys: int = 10
    user_data_max_value_bytes: int = 300_000
    character_data_max_keys: int = 10
    character_data_max_value_bytes: int = 300_000
    data_max_document_bytes: int = 1_000_000
    shared_group_max_keys: int = 10
    shared_group_max_value_bytes: int = 300_000
    # Shared group quotas: members of one group, and groups one player may belong to (created or joined).
    shared_group_max_members: int = 100
    shared_groups_per_player: int = 100
    # Request rate limits: who is limited (client, all, off) and each limit's windows (shared/rate_limits.py).
    rate_limits: str = "client"
    rate_limit_windows: Mapping[str, Windows] = field(default_factory=lambda: dict(RATE_LIMIT_DEFAULTS))
    # Start an empty embedded store even though its marker or signing key shows one existed.
    sqlite_recreate_missing_store: bool = False
    # Cosmos DB calls: one attempt's connect/read timeout, one call's whole budget (the SDK's retries
    # included), and how many calls one process has in flight, a caller waiting this long for a turn.
    cosmos_request_timeout_seconds: int = 1
    cosmos_operation_timeout_seconds: int = 3
    cosmos_max_calls: int = 100
    cosmos_queue_wait_ms: int = 500
    # Whether X-Forwarded-For names the client: auto (only when the host gives no peer), true, false.
    trust_forwarded_for: str = "auto"
    # How long a rate-limited refusal is held before it is sent; None: per runtime (shared/rate_limits.py).
    refusal_delay_ms: int | None = None
    # Largest body of an anonymous call (a login is well under 1 KB), refused before it is parsed.
    anonymous_max_request_bytes: int = 65_536


def _int(env: Mapping[str, str], name: str, default: int, problems: list[str], minimum: int = 1) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        problems.append(f"{name} must be a whole number, got {raw!r}")
        return default
    if value < minimum:
        problems.append(f"{name} must be at least {minimum}, got {value}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool, problems: list[str]) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes"):
        return True
    if raw in ("0", "false", "no"):
        return False
    problems.append(f"{name} must be true or false, got {raw!r}")
    return default


def _windows(env: Mapping[str, str], name: str, limit: str, problems: list[str]) -> Windows:
    raw = env.get(name, "").strip()
    if not raw:
        return RATE_LIMIT_DEFAULTS[limit]
    try:
        return parse_windows(raw)
    except ValueError as exc:
        problems.append(f"{name} must be calls/seconds pairs like 10/15,150/300 ({exc})")
        return RATE_LIMIT_DEFAULTS[limit]


def _shared_and_address_limits(env: Mapping[str, str], problems: list[str]) -> dict[str, Windows]:
    n = limit_names
    return {
        n.SHARED_GROUP_WRITES: _windows(env, "RATE_LIMIT_SHARED_GROUP_WRITES", n.SHARED_GROUP_WRITES, problems),
        n.SHARED_GROUP_READS: _windows(env, "RATE_LIMIT_SHARED_GROUP_READS", n.SHARED_GROUP_READS, problems),
        n.ACCOUNT_CREATION: _windows(env, "RATE_LIMIT_ACCOUNT_CREATION", n.ACCOUNT_CREATION, problems),
        n.ANONYMOUS_CALLS: _windows(env, "RATE_LIMIT_ANONYMOUS_CALLS", n.ANONYMOUS_CALLS, problems),
    }


def _rate_limits(env: Mapping[str, str], problems: list[str]) -> tuple[str, dict[str, Windows]]:
    scope = env.get("RATE_LIMITS", "").strip().lower() or "client"
    if scope not in RATE_LIMIT_SCOPES:
        problems.append(f"RATE_LIMITS must be one of {', '.join(RATE_LIMIT_SCOPES)}, got {scope!r}")
    return scope, {
        USER_DATA: _windows(env, "RATE_LIMIT_USER_DATA", USER_DATA, problems),
        CHARACTER_DATA: _windows(env, "RATE_LIMIT_CHARACTER_DATA", CHARACTER_DATA, problems),
        ENTITY_UPDATES: _windows(env, "RATE_LIMIT_ENTITY_UPDATES", ENTITY_UPDATES, problems),
        **_shared_and_address_limits(env, problems),
    }


def _trust_forwarded_for(env: Mapping[str, str], problems: list[str]) -> str:
    raw = env.get("TRUST_X_FORWARDED_FOR", "").strip().lower() or "auto"
    if raw not in TRUST_CHOICES:
        problems.append(f"TRUST_X_FORWARDED_FOR must be one of {', '.join(TRUST_CHOICES)}, got {raw!r}")
    return raw


def _csv(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in env.get(name, "").split(",") if part.strip())


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

    title_id = env.get("PLAYFAB_TITLE_ID", "").strip()
    if not title_id:
        problems.append("PLAYFAB_TITLE_ID is required (the title id your game sends as TitleId)")
    secret_keys = _csv(env, "PLAYFAB_SECRET_KEYS")
    if not secret_keys:
        problems.append("PLAYFAB_SECRET_KEYS is required (comma-separated title secret keys)")
    elif any(len(k) < 16 for k in secret_keys):
        problems.append("every key in PLAYFAB_SECRET_KEYS must be at least 16 characters")

    backend = env.get("STORAGE_BACKEND", "sqlite").strip().lower() or "sqlite"
    if backend not in ("sqlite", "cosmos"):
        problems.append(f"STORAGE_BACKEND must be 'sqlite' or 'cosmos', got {backend!r}")
    sqlite_path = Path(env.get("SQLITE_PATH", "").strip() or ".data/playfab.sqlite3")
    cosmos_endpoint = env.get("COSMOS_ENDPOINT", "").strip() or None
    if backend == "cosmos" and not cosmos_endpoint:
        problems.append("COSMOS_ENDPOINT is required when STORAGE_BACKEND=cosmos")

    signing_keys = _csv(env, "TOKEN_SIGNING_KEY")
    if not signing_keys and backend == "sqlite" and not problems:
        signing_keys = (local_signing_key(sqlite_path),)
    elif not signing_keys:
        problems.append("TOKEN_SIGNING_KEY is required when STORAGE_BACKEND=cosmos")
    if any(len(k) < MIN_SIGNING_KEY_CHARS for k in signing_keys):
        problems.append(f"every key in TOKEN_SIGNING_KEY must be at least {MIN_SIGNING_KEY_CHARS} characters")

    rate_scope, rate_windows = _rate_limits(env, problems)
    settings = Settings(
        title_id=title_id,
        secret_keys=secret_keys,
        signing_keys=signing_keys,
        storage_backend=backend,
        sqlite_path=sqlite_path,
        cosmos_endpoint=cosmos_endpoint,
        cosmos_key=env.get("COSMOS_KEY", "").strip() or None,
        cosmos_database=env.get("COSMOS_DATABASE", "").strip() or "playfab",
        cosmos_verify_tls=_bool(env, "COSMOS_VERIFY_TLS", True, problems),
        max_request_bytes=_int(env, "MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES, problems, minimum=1024),
        session_ttl_seconds=_int(env, "SESSION_TTL_SECONDS", 24 * 3600, problems),
        entity_token_ttl_seconds=_int(env, "ENTITY_TOKEN_TTL_SECONDS", 24 * 3600, problems),
        player_object_count=_int(env, "PLAYER_OBJECT_COUNT", 5, problems),
        player_object_bytes=_int(env, "PLAYER_OBJECT_BYTES", 1_000, problems),
        title_object_count=_int(env, "TITLE_OBJECT_COUNT", 10, problems),
        title_object_bytes=_int(env, "TITLE_OBJECT_BYTES", 2_000, problems),
        object_name_max_chars=_int(env, "OBJECT_NAME_MAX_CHARS", 64, problems),
        user_data_max_keys=_int(env, "USER_DATA_MAX_KEYS_PER_UPDATE", 10, problems),
        user_data_max_value_bytes=_int(env, "USER_DATA_MAX_VALUE_BYTES", 300_000, problems),
        character_data_max_keys=_int(env, "CHARACTER_DATA_MAX_KEYS_PER_UPDATE", 10, problems),
        character_data_max_value_bytes=_int(env, "CHARACTER_DATA_MAX_VALUE_BYTES", 300_000, problems),
        shared_group_max_keys=_int(env, "SHARED_GROUP_DATA_MAX_KEYS_PER_UPDATE", 10, problems),
        shared_group_max_value_bytes=_int(env, "SHARED_GROUP_DATA_MAX_VALUE_BYTES", 300_000, problems),
        shared_group_max_members=_int(env, "SHARED_GROUP_MAX_MEMBERS", 100, problems),
        shared_groups_per_player=_int(env, "SHARED_GROUPS_PER_PLAYER", 100, problems),
        data_max_document_bytes=_int(env, "DATA_MAX_DOCUMENT_BYTES", 1_000_000, problems, minimum=1024),
        rate_limits=rate_scope,
        rate_limit_windows=rate_windows,
        sqlite_recreate_missing_store=_bool(env, "SQLITE_RECREATE_MISSING_STORE", False, problems),
        cosmos_request_timeout_seconds=_int(env, "COSMOS_REQUEST_TIMEOUT_SECONDS", 1, problems),
        cosmos_operation_timeout_seconds=_int(env, "COSMOS_OPERATION_TIMEOUT_SECONDS", 3, problems),
        cosmos_max_calls=_int(env, "COSMOS_MAX_CALLS", 100, problems),
        cosmos_queue_wait_ms=_int(env, "COSMOS_QUEUE_WAIT_MS", 500, problems, minimum=0),
        trust_forwarded_for=_trust_forwarded_for(env, problems),
        refusal_delay_ms=_int(env, "RATE_LIMIT_REFUSAL_DELAY_MS", 0, problems, minimum=0)
        if env.get("RATE_LIMIT_REFUSAL_DELAY_MS", "").strip()
        else None,
        anonymous_max_request_bytes=_int(env, "ANONYMOUS_MAX_REQUEST_BYTES", 65_536, problems, minimum=1024),
    )
    if settings.cosmos_operation_timeout_seconds < settings.cosmos_request_timeout_seconds:
        problems.append("COSMOS_OPERATION_TIMEOUT_SECONDS must be at least COSMOS_REQUEST_TIMEOUT_SECONDS")
    if problems:
        raise SettingsError("invalid settings:\n  - " + "\n  - ".join(problems))
    return settings
