"""azd preprovision hook: give a new azd environment its own random secrets, once.

PLAYFAB_SECRET_KEYS and TOKEN_SIGNING_KEY are generated only when the environment lacks them, so a
re-provision keeps existing keys (and every session ticket stays valid). Values you set yourself with
`azd env set` win. Read one back with `azd env get-value PLAYFAB_SECRET_KEYS`.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Mapping

# Bytes of randomness per generated key. Hex keeps values free of commas (both settings are lists) and of
# a leading "-" (which azd would read as a flag); both lengths are well over the floors
# shared/config/settings.py checks.
GENERATED = {
    "PLAYFAB_SECRET_KEYS": 32,
    "TOKEN_SIGNING_KEY": 48,
}


def missing_secrets(env: Mapping[str, str]) -> dict[str, str]:
    """Fresh values for each generated secret that env does not already hold."""
    return {name: secrets.token_hex(size) for name, size in GENERATED.items() if not env.get(name, "").strip()}


def main() -> int:
    # azd runs hooks with the environment's values already exported.
    for name, value in missing_secrets(os.environ).items():
        subprocess.run(["azd", "env", "set", name, value], check=True, stdout=subprocess.DEVNULL)
        print(f"generated {name} (read it with: azd env get-value {name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
