"""Session tickets and entity tokens: HMAC-signed, expiring, verified on every call.

Format: `<base64url(json claims)>.<base64url(hmac-sha256)>`. The claims name the token's kind so a
session ticket can never pass as an entity token or the other way round.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

SESSION = "s"
ENTITY = "e"


class TokenInvalid(Exception):
    pass


class TokenExpired(Exception):
    pass


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Signer:
    keys: tuple[str, ...]  # the first signs; every key verifies, so a key can be rotated out

    def _mac(self, key: str, payload: str) -> str:
        return _b64(hmac.new(key.encode("utf-8"), payload.encode("ascii"), hashlib.sha256).digest())

    def issue(self, kind: str, claims: dict[str, Any], ttl_seconds: int, now: float | None = None) -> tuple[str, int]:
        """Return (token, expiry as unix seconds)."""
        expires = int((now if now is not None else time.time()) + ttl_seconds)
        body = {"k": kind, **claims, "n": secrets.token_hex(4), "x": expires}  # n: every token unique
        payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8"))
        return f"{payload}.{self._mac(self.keys[0], payload)}", expires

    def verify(self, kind: str, token: str, now: float | None = None) -> dict[str, Any]:
        payload, dot, mac = token.partition(".")
        if not dot or not payload.isascii() or not mac.isascii():
            raise TokenInvalid()
        if not any(hmac.compare_digest(self._mac(key, payload), mac) for key in self.keys):
            raise TokenInvalid()
        try:
            claims = json.loads(_unb64(payload))
        except (binascii.Error, ValueError) as exc:  # cannot happen for a token we signed
            raise TokenInvalid() from exc
        if not isinstance(claims, dict) or claims.get("k") != kind or not isinstance(claims.get("x"), int):
            raise TokenInvalid()
        if claims["x"] <= (now if now is not None else time.time()):
            raise TokenExpired()
        return claims
