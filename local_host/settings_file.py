"""Read `Values` from local.settings.json into the environment, as Core Tools does.

Variables already set in the environment win, so `STORAGE_BACKEND=cosmos make run` overrides the file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def load_local_settings(path: Path) -> list[str]:
    """Apply the file's Values; return the names taken from it."""
    if not path.exists():
        return []
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
