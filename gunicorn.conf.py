"""gunicorn's settings for coopsite (read from the working directory):
`gunicorn coopsite.wsgi`. Everything can be overridden on the command line
or with GUNICORN_CMD_ARGS."""

import os

import gunicorn.http.wsgi

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
accesslog = "-"
# Only the proxy in front may say which scheme and address a request came
# from (with DJANGO_SECURE_PROXY_SSL_HEADER and DJANGO_CLIENT_IP_HEADER): the
# site reads the same variable (TRUSTED_PROXIES, coopsite/clients.py) and
# takes those headers out of any other connection's requests.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# No "Server: gunicorn/<version>" banner: it only helps whoever looks for a
# version with a known flaw.
_default_headers = gunicorn.http.wsgi.Response.default_headers


def _headers_without_server(self):
    return [
        header
        for header in _default_headers(self)
        if not header.lower().startswith("server:")
    ]


gunicorn.http.wsgi.Response.default_headers = _headers_without_server
