"""Create local.settings.json from the example, with a fresh random title secret key."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    target = ROOT / "local.settings.json"
    if target.exists():
        return
    settings = json.loads((ROOT / "local.settings.json.example").read_text(encoding="utf-8"))
    key = secrets.token_urlsafe(32)
    settings["Values"]["PLAYFAB_SECRET_KEYS"] = key
    target.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    print(f"created {target.name}: title {settings['Values']['PLAYFAB_TITLE_ID']}, secret key {key}")


if __name__ == "__main__":
    main()
