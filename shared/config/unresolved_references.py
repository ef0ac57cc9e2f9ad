"""Platform references left unresolved in the environment.

App Service and Azure Functions replace an app setting of the form `@Microsoft.KeyVault(...)` or
`@Microsoft.AppConfiguration(...)` with the value it points to. When they cannot (no access to the vault,
a deleted secret, a network rule), the setting keeps the reference text itself. That text is public
(it names the vault and the secret) and long enough to pass as a key, so it must never be used as one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

# Any case and stray spaces: the platform matches the prefix loosely, and a near miss is still not a secret.
_REFERENCE = re.compile(r"@\s*microsoft\s*\.\s*(keyvault|appconfiguration)\s*\(", re.IGNORECASE)
_SOURCES = {"keyvault": "Key Vault", "appconfiguration": "App Configuration"}


def reference_kind(value: str) -> str | None:
    """'Key Vault' or 'App Configuration' when value holds an unresolved reference, else None."""
    found = _REFERENCE.search(value)
    return _SOURCES[found[1].lower()] if found else None


class CheckedEnvironment(Mapping[str, str]):
    """The environment as the settings loader reads it: every setting read that holds an unresolved
    reference is recorded as a problem (by name only; the value is never repeated)."""

    def __init__(self, env: Mapping[str, str], problems: list[str]) -> None:
        self._env = env
        self._problems = problems
        self._reported: set[str] = set()

    def __getitem__(self, name: str) -> str:
        value = self._env[name]
        kind = reference_kind(value)
        if kind and name not in self._reported:
            self._reported.add(name)
            self._problems.append(
                f"{name} is an unresolved {kind} reference: the platform could not fetch the value it "
                "names (check the app identity's access and that the secret exists), and the reference "
                "text is never used in its place"
            )
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._env)

    def __len__(self) -> int:
        return len(self._env)
