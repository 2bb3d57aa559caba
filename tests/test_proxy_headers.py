"""Only the proxy in front may say which client and scheme a request is
for: a client that reaches an app server directly is its own address and
its own scheme, whatever headers it writes (coopsite/clients.py)."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory

from coopsite.clients import ProxyHeadersFromProxiesOnly, client_ip

PROXY, DIRECT = "10.0.0.2", "198.51.100.9"


@pytest.fixture
def behind_a_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    return settings


@pytest.mark.parametrize(
    ("remote", "client"), [(PROXY, "203.0.113.5"), (DIRECT, DIRECT)]
)
def test_the_client_address_header_is_believed_from_the_proxy_only(
    behind_a_proxy, remote, client
):
    request = RequestFactory().get(
        "/", REMOTE_ADDR=remote, headers={"X-Real-IP": "203.0.113.5"}
    )
    assert client_ip(request) == client


def test_a_network_of_proxies_and_any_address(behind_a_proxy):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.77", headers={"X-Real-IP": "203.0.113.5"}
    )
    behind_a_proxy.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(request) == "203.0.113.5"
    behind_a_proxy.TRUSTED_PROXIES = ["*"]
    request.META["REMOTE_ADDR"] = DIRECT
    assert client_ip(request) == "203.0.113.5"


@pytest.mark.parametrize(("remote", "status"), [(PROXY, 200), (DIRECT, 301)])
def test_the_forwarded_scheme_is_believed_from_the_proxy_only(
    db, behind_a_proxy, remote, status
):
    """A request straight to an app server that says it came over HTTPS is
    still sent to HTTPS (not served as if it were secure)."""
    application = ProxyHeadersFromProxiesOnly(WSGIHandler())
    environ = RequestFactory().get("/robots.txt").environ
    environ.update(
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_REAL_IP="203.0.113.5",
    )
    answered = {}

    def start_response(status_line, headers, exc_info=None):
        answered["status"] = int(status_line.split()[0])

    b"".join(application(environ, start_response))
    assert answered["status"] == status
