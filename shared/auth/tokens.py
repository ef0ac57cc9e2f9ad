"""Session tickets and entity tokens: HMAC-signed, expiring, bound to one title, verified on every call.

Format: `<base64url(json claims)>.<base64url(hmac-sha256)>`, and a session ticket starts with
`<PlayFabId>-` as PlayFab's own tickets do (code that reads the player from a ticket keeps working).
The MAC covers the token's kind and everything before the dot, so a session ticket never passes as an
entity token or the other way round. The claims name the title the token was issued for: deployments
sharing a TOKEN_SIGNING_KEY still refuse each other's tokens.
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

SESSION_TICKET = "s"
ENTITY_TOKEN = "e"
SEGMENT_PAGE = "g"  # a GetPlayersInSegment continuation token


class TokenInvalid(Exception):
    pass


class TokenExpired(Exception):
    """A genuine token past its expiry; `claims` are its verified claims (who it was issued to)."""

    def __init__(self, claims: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.claims = claims or {}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Signer:
    keys: tuple[str, ...]  # the first signs; every key verifies, so a key can be rotated out
    title_id: str  # every token names it; a token naming another title is invalid here

    def _mac(self, key: str, kind: str, signed: str) -> str:
        message = f"{kind}.{signed}".encode("ascii")
        return _b64(hmac.new(key.encode("utf-8"), message, hashlib.sha256).digest())

    def issue(self, kind: str, claims: dict[str, Any], ttl_seconds: int, now: float | None = None) -> tuple[str, int]:
        """Return (token, expiry as unix seconds). A session ticket's claims must name the player ("p")."""
        expires = int((now if now is not None else time.time()) + ttl_seconds)
        # n: every token unique; ti: the title it is good for.
        body = {"k": kind, **claims, "ti": self.title_id, "n": secrets.token_hex(4), "x": expires}
        signed = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode("utf-8"))
        if kind == SESSION_TICKET:
            signed = f"{claims['p']}-{signed}"
        return f"{signed}.{self._mac(self.keys[0], kind, signed)}", expires

    def verify(self, kind: str, token: str, now: float | None = None) -> dict[str, Any]:
        signed, dot, mac = token.partition(".")
        if not dot or not signed.isascii() or not mac.isascii():
            raise TokenInvalid()
        if not any(hmac.compare_digest(self._mac(key, kind, signed), mac) for key in self.keys):
            raise TokenInvalid()
        player, payload = None, signed
        if kind == SESSION_TICKET:
            player, dash, payload = signed.partition("-")
            if not dash:
                raise TokenInvalid()
        try:
            claims = json.loads(_unb64(payload))
        except (binascii.Error, ValueError) as exc:  # cannot happen for a token we signed
            raise TokenInvalid() from exc
        if (
            not isinstance(claims, dict)
            or claims.get("k") != kind
            or claims.get("ti") != self.title_id
            or not isinstance(claims.get("x"), int)
            or (kind == SESSION_TICKET and claims.get("p") != player)
        ):
            raise TokenInvalid()
        if claims["x"] <= (now if now is not None else time.time()):
            raise TokenExpired(claims)
        return claims
