"""WSGI entry point (gunicorn coopsite.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopsite.settings.production")

application = get_wsgi_application()
