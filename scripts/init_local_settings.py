"""Create local.settings.json from the example, with a fresh random title secret key and signing key."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def write_local_settings(target: Path) -> dict[str, Any] | None:
    """Write the settings file unless it exists; return what was written."""
    if target.exists():
        return None
    settings: dict[str, Any] = json.loads((ROOT / "local.settings.json.example").read_text(encoding="utf-8"))
    settings["Values"]["PLAYFAB_SECRET_KEYS"] = secrets.token_urlsafe(32)
    # Set here so both stores use it; the Cosmos store requires it (it keeps no local files).
    settings["Values"]["TOKEN_SIGNING_KEY"] = secrets.token_urlsafe(48)
    # Owner-only from the first byte: the file holds the title secret and the signing key.
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(settings, indent=2) + "\n")
    return settings


def main() -> None:
    target = ROOT / "local.settings.json"
    settings = write_local_settings(target)
    if settings is not None:
        values = settings["Values"]
        print(f"created {target.name}: title {values['PLAYFAB_TITLE_ID']}, secret key {values['PLAYFAB_SECRET_KEYS']}")


if __name__ == "__main__":
    main()
