"""WSGI entry point (gunicorn coopsite.wsgi): Django, with the pages the
shared cache keeps for anonymous readers answered in front of it
(:mod:`freshness.wsgi`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopsite.settings.production")

from coopsite.clients import ProxyHeadersFromProxiesOnly
from freshness.wsgi import KeptPagesFirst

application = ProxyHeadersFromProxiesOnly(KeptPagesFirst(get_wsgi_application()))
