"""Where a request comes from.

Behind a reverse proxy every request arrives from the proxy, so the client's
address has to come from a header the proxy sets. A client can send that
header too: only the header named in DJANGO_CLIENT_IP_HEADER is read (the
one the trusted proxy overwrites or appends to), and only its right-most
address, the one the proxy itself added. Without that setting the address
is the connection's (REMOTE_ADDR) and no header is believed. Login
throttling (django-axes) counts failures per address with this.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    if header:
        meta_key = "HTTP_" + header.upper().replace("-", "_")
        value = request.META.get(meta_key, "")
        candidate = value.split(",")[-1].strip()
        if _is_ip(candidate):
            return candidate
    remote = request.META.get("REMOTE_ADDR", "")
    return remote if _is_ip(remote) else None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
