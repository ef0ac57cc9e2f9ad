"""Read `Values` from local.settings.json into the environment, as Core Tools does.

Variables already set in the environment win, so `STORAGE_BACKEND=cosmos make run` overrides the file.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path


def load_local_settings(path: Path) -> list[str]:
    """Apply the file's Values; return the names taken from it."""
    if not path.exists():
        return []
    restrict_to_owner(path)
    try:
        values = json.loads(path.read_text(encoding="utf-8")).get("Values", {})
    except (ValueError, AttributeError) as exc:
        raise SystemExit(f"{path}: not valid JSON with a Values object ({exc})") from None
    if not isinstance(values, dict):
        raise SystemExit(f"{path}: Values must be an object")
    taken = []
    for name, value in values.items():
        if name not in os.environ:
            os.environ[name] = str(value)
            taken.append(name)
    return taken


def restrict_to_owner(path: Path) -> None:
    """The file holds secrets: one written before files were created owner-only is tightened."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        try:
            path.chmod(mode & 0o700)
            print(f"{path}: made readable by its owner only (was {oct(mode)})", file=sys.stderr)
        except OSError as exc:
            print(f"{path}: holds secrets but is readable by others ({exc.strerror})", file=sys.stderr)
