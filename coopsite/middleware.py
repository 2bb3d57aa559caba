"""Response headers the whole site sends."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse


class PermissionsPolicyMiddleware:
    """``Permissions-Policy``: the site uses no camera, microphone,
    geolocation, payment or other powerful browser feature, and says so, so
    that nothing injected (or embedded) can ask for one."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENIED
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class RefuseNullCharactersMiddleware:
    """A NUL character in a query or form value can be neither stored nor
    looked up in PostgreSQL (it raises, which would be a 500): no page of
    the site takes one, so such a request is answered 400, saying why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sources = [request.GET] + ([request.POST] if request.method == "POST" else [])
        for data in sources:
            for key, values in data.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return self.refuse(request, key)
        return self.get_response(request)

    MESSAGE = (
        "This request holds a NUL character (U+0000), which no form or "
        "filter of this site accepts."
    )

    def refuse(self, request, key: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            # The API's clients read errors as JSON, by parameter.
            name = "detail" if "\x00" in key else key
            return JsonResponse({name: [self.MESSAGE]}, status=400)
        return HttpResponseBadRequest(
            self.MESSAGE, content_type="text/plain; charset=utf-8"
        )
