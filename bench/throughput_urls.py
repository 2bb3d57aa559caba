"""The site's addresses and one more for ``bench/throughput.py``: a bare view,
the measure of what Django and the middleware cost on their own."""

from django.http import HttpResponse
from django.urls import path

from coopsite.urls import handler500, urlpatterns  # noqa: F401


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *urlpatterns]
