"""API keys and roles.

Keys come from ``KG_API_KEYS`` (``key:role,...``). Roles are ordered: a viewer reads maps, the
report and analyses; an analyst also exports metrics; an admin also imports. With no keys
configured the API serves clients on this machine only (loopback), each as admin.
"""

from __future__ import annotations

import hmac
import ipaddress
from enum import IntEnum

__all__ = ["Role", "is_loopback", "role_for_key", "role_of"]


class Role(IntEnum):
    VIEWER = 1
    ANALYST = 2
    ADMIN = 3

    @classmethod
    def parse(cls, name: str) -> Role:
        return cls[name.upper()]


def is_loopback(host: str | None) -> bool:
    """True for 127.0.0.0/8 and ::1 (and ``localhost``); False for anything else or unknown."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def role_for_key(presented: str, keys: dict[str, str]) -> Role | None:
    """The role of the presented key, or None. Compares every key in constant time."""
    found = None
    for key, role in keys.items():
        # no early exit: the time taken does not tell how many keys were tried
        if hmac.compare_digest(presented.encode(), key.encode()):
            found = Role.parse(role)
    return found


def role_of(keys: dict[str, str], presented: str | None, client: str | None) -> Role | None:
    """The role of a caller: with no keys configured, admin on this machine (None elsewhere);
    else the role of the presented key (None for a missing or unknown one)."""
    if not keys:
        return Role.ADMIN if is_loopback(client) else None
    return role_for_key(presented, keys) if presented else None
