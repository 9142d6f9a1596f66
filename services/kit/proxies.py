"""The real client address behind an ingress: X-Forwarded-For, from trusted proxies only.

Each proxy appends the address it was called from to X-Forwarded-For, so only the right
end of the list is written by hops we run; anything to the left of the first hop we do
not trust was written by the caller and may be forged. The client address is therefore:

- the direct peer, unless the peer is in TRUSTED_PROXIES (a CIDR list, empty by default:
  then every X-Forwarded-For is ignored);
- otherwise the list walked from the right, skipping trusted hops: the first address not
  in a trusted range. An entry that is not an IP address stops the walk and the last
  trusted hop is the client (a proxy we trust never writes one, so it came from the left).

The processes run with uvicorn's own proxy handling off (`--no-proxy-headers`): uvicorn
would otherwise trust X-Forwarded-For from 127.0.0.1 before `forward` sees the peer.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_networks(spec: str) -> tuple[Network, ...]:
    """`10.0.0.0/8, 192.168.1.7` → networks (a bare address is its own /32 or /128).

    Raises ValueError on an entry that is not an address or network, so a typo cannot
    silently trust nothing (or everything)."""
    networks = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"TRUSTED_PROXIES: {part!r} is not an IP address or CIDR") from None
    return tuple(networks)


def _address(value: str) -> Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:51000
        value = value.partition(":")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_address(
    peer: str | None, forwarded_for: Iterable[str], trusted: Iterable[Network]
) -> str | None:
    """The client's address, given the direct peer and the X-Forwarded-For header values."""
    networks = tuple(trusted)

    def is_trusted(address: Address | None) -> bool:
        return address is not None and any(address in net for net in networks)

    current = _address(peer) if peer else None
    if not is_trusted(current):
        return peer
    hops = [h for value in forwarded_for for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break
        current = address
        if not is_trusted(address):
            break
    return str(current)


def forward(scope: Scope, trusted: tuple[Network, ...]) -> None:
    """Sets the ASGI scope's client to `client_address` (the port is kept only for the
    peer); the request pass (services/kit/edge.py) calls it first of all."""
    client = scope.get("client")
    peer = client[0] if client else None
    values = [v.decode("latin-1") for k, v in scope["headers"] if k == b"x-forwarded-for"]
    host = client_address(peer, values, trusted)
    if host is not None and host != peer:
        scope["client"] = (host, 0)
