"""Which client address a request came from, for the limits counted per address.

The local host knows the TCP peer and hands it over in `PEER` (a context variable, so no header a
client could forge carries it). Behind a proxy (Azure's front ends) the peer is the proxy, and the
client is the first hop of `X-Forwarded-For`; that header is believed only where TRUST_X_FORWARDED_FOR
says so, by default only when the host gave no peer (the Functions host, whose front end sets it).
"""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar
from typing import Final

# Set by the local host around each request it hands to a trigger; unset under the Functions host.
PEER: ContextVar[str | None] = ContextVar("client_peer", default=None)
# The resolved address of the request being handled, set by the pipeline for handlers that need it.
CURRENT: ContextVar[str | None] = ContextVar("client_address", default=None)

UNKNOWN: Final = "unknown"  # every request whose address cannot be told shares one budget
_IPV6_PREFIX: Final = 64  # one subscriber usually holds a whole /64: count it as one address


def _strip_port(hop: str) -> str:
    hop = hop.strip()
    if hop.startswith("["):  # [2001:db8::1]:443
        return hop[1 : hop.find("]")] if "]" in hop else hop
    if hop.count(":") == 1:  # 203.0.113.7:52345, as Azure's front end writes it
        return hop.split(":", 1)[0]
    return hop


def normalise(raw: str | None) -> str:
    """A stable key for an address: the IPv4 address, or the /64 an IPv6 address belongs to."""
    if not raw:
        return UNKNOWN
    try:
        address = ipaddress.ip_address(_strip_port(raw))
    except ValueError:
        return UNKNOWN
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, _IPV6_PREFIX), strict=False))
    return str(address)


def resolve(forwarded_for: str | None, peer: str | None, trust: str) -> str:
    """The client's address key from the X-Forwarded-For header and the peer the host saw."""
    believe = trust == "true" or (trust == "auto" and peer is None)
    if believe and forwarded_for:
        return normalise(forwarded_for.split(",", 1)[0])
    return normalise(peer)
