"""Response headers the whole site sends."""

from django.conf import settings


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
