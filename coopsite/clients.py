"""Where a request comes from.

Behind a reverse proxy every request arrives from the proxy, so the client's
address has to come from a header the proxy sets. A client can send that
header too: only the header named in DJANGO_CLIENT_IP_HEADER is read (the
one the trusted proxy overwrites or appends to), only its right-most
address, the one the proxy itself added, and only on a connection from a
trusted proxy (``TRUSTED_PROXIES``, gunicorn's GUNICORN_FORWARDED_ALLOW_IPS):
a client that reaches an app server directly is its own address, whatever
it writes. Without that setting the address is the connection's
(REMOTE_ADDR) and no header is believed. Login throttling (django-axes) and
the API's rate limit count per address with this.

The scheme the proxy forwards (``SECURE_PROXY_SSL_HEADER``) is believed on
the same terms: :class:`ProxyHeadersFromProxiesOnly`, in front of the whole
site (``coopsite.wsgi``), takes it and the client's address header out of a
request that did not come from a trusted proxy.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings


@functools.lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple | None:
    """The trusted networks (None: any address)."""
    if "*" in trusted:
        return None
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in trusted)


def from_trusted_proxy(remote_addr: str) -> bool:
    """Whether a connection from ``remote_addr`` is a trusted proxy's."""
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if networks is None:
        return True
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    return any(address in network for network in networks)


def client_ip(request) -> str | None:
    header = getattr(settings, "CLIENT_IP_HEADER", "")
    if header and from_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
        value = request.META.get(_meta_key(header), "")
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


def _meta_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


class ProxyHeadersFromProxiesOnly:
    """WSGI middleware: the headers only the proxy in front may set (the
    scheme it forwards, the client's address) are taken out of a request
    that did not come from it."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        if not from_trusted_proxy(environ.get("REMOTE_ADDR", "")):
            proxy_ssl = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
            if proxy_ssl:
                environ.pop(proxy_ssl[0], None)
            if header := getattr(settings, "CLIENT_IP_HEADER", ""):
                environ.pop(_meta_key(header), None)
        return self.application(environ, start_response)
