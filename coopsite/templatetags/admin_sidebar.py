"""The admin's navigation sidebar (``admin/nav_sidebar.html``), Django's own
markup, kept once written for the user's permissions and the page.

On every admin page Django builds the list of every app and model the user
may see (asking each registered admin for its four permissions and reversing
two addresses for each model) and writes it into the sidebar: the same
markup for every page of a list a user opens, a tenth of a changelist's
time. What it shows depends on who asks (their permissions, not their name:
the add link, the models at all), which page is open (the current app and
model are marked), the language and the code; it is kept under all of them,
in each app process's memory (a few thousand bytes for each permission set
and page), so a change of a user's groups or permissions shows at once. The
data is not in it: the sidebar never shows records."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from threading import Lock

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from freshness.versions import code_version

register = template.Library()

# Kept sidebars, the least recently used first out once there are more.
KEPT_SIDEBARS = 512
_kept: OrderedDict[str, str] = OrderedDict()
_lock = Lock()


def permission_signature(user) -> str:
    """What the admin shows ``user`` depends on: their flags and the
    permissions their groups and their own give them (a superuser has all)."""
    if user.is_superuser:
        granted = "all"
    else:
        granted = ",".join(sorted(user.get_all_permissions()))
    flags = f"{user.is_active:d}{user.is_staff:d}{user.is_superuser:d}"
    return hashlib.sha256(f"{flags}|{granted}".encode()).hexdigest()


def _key(context) -> str:
    request = context["request"]
    parts = [
        code_version()[0],
        get_language() or "",
        request.META.get("SCRIPT_NAME", ""),
        request.path,
        permission_signature(request.user),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


@register.simple_tag(takes_context=True)
def kept_nav_sidebar(context) -> SafeString:
    """``{% include "admin/nav_sidebar.html" %}``, written once for each
    permission set and page (see the module's text)."""
    key = _key(context)
    with _lock:
        html = _kept.get(key)
        if html is not None:
            _kept.move_to_end(key)
    if html is None:
        sidebar = context.template.engine.get_template("admin/nav_sidebar.html")
        with context.push():
            html = str(sidebar.render(context))
        with _lock:
            _kept[key] = html
            while len(_kept) > KEPT_SIDEBARS:
                _kept.popitem(last=False)
    return mark_safe(html)  # noqa: S308 - the template's own (escaped) output


def forget_sidebars() -> None:
    """Drop every kept sidebar (the tests' fresh start)."""
    with _lock:
        _kept.clear()
