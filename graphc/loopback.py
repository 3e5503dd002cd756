"""What counts as this machine: the one reading of a loopback host, for the client (plain http and no key only to
loopback) and the sandbox server (which answers only requests addressed to loopback when it listens there)."""

from __future__ import annotations

import ipaddress

__all__ = ["host_header_name", "is_loopback_host"]


def is_loopback_host(host: str) -> bool:
    """``localhost`` or a loopback IP address (127.0.0.0/8, ::1, an IPv4-mapped 127.x); nothing else."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name such as 127.attacker.example is whatever DNS says it is
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def host_header_name(value: str) -> str | None:
    """The host named by an HTTP ``Host`` header (``name``, ``name:port``, ``[v6]``, ``[v6]:port``), without its
    port; None for a value of any other form (an empty one, a port that is not digits, an unbracketed IPv6)."""
    value = value.strip()
    if value.startswith("["):
        name, bracket, port = value[1:].partition("]")
        if not bracket or (port and not port.startswith(":")):
            return None
        port = port[1:]
        name = f"[{name}]"
    else:
        name, _, port = value.partition(":")
        if ":" in port:
            return None
    if not name or (port and not (port.isascii() and port.isdigit())):
        return None
    return name
