"""Every admin URL, as every identity, by GET and by POST, answers as the role
table (accounts/roles.py) says.

The URLs are not listed by hand: they are read from the admin site's own URL
patterns (model admins, their custom views, the site's views), so an admin
view added later is asked too, and a pattern this test cannot classify fails
it until someone says who may use it. POSTs carry what a browser would send
from the superuser's page (a valid form, an action with an object selected),
so a refusal is a refusal, not a form error. Each request runs in a savepoint
that is rolled back, so a delete or a logout does not disturb the next one;
a refused request must write nothing.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import CONTRIBUTORS, ROLES, VERBS, role_table_markdown, verbs_for
from articles import services
from articles.models import ArticleStatus, RevisionAction
from tests.admin_forms import scraped_form
from tests.factories import (
    ArticleFactory,
    BlocFactory,
    DataIssueFactory,
    ImageFactory,
    ImportRunFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    PartnershipSystemFactory,
    PublishedArticleFactory,
    SourceFactory,
    SystemFactory,
    TagFactory,
    UserFactory,
)
from tests.routes import url_routes

pytestmark = [pytest.mark.django_db, pytest.mark.long(24)]

ROOT = Path(__file__).resolve().parent.parent
ANONYMOUS, READER, NO_ROLE, SUPERUSER = (
    "anonymous",
    "logged-in reader",
    "staff without a role",
    "superuser",
)
IDENTITIES = [ANONYMOUS, READER, NO_ROLE, *sorted(ROLES), SUPERUSER]

# What each kind of admin URL asks, for a GET and for a POST:
#   a verb of the role table (on the URL's object, or its model),
#   "read"   - answered as the GET is, and writing nothing,
#   "never"  - refused to everyone (the record revert form is off),
#   "staff"  - any member of staff,
#   "app"    - staff with any permission in the URL's app,
#   "remote" - view permission on the model a look-up returns,
#   "method" - not a method this view answers (405),
#   "anyone" - the login page.
KINDS = {
    "changelist": ("view", "action"),
    "add": ("add", "add"),
    "change": ("view", "change"),
    "delete": ("delete", "delete"),
    "history": ("view", "read"),
    "simple_history": ("view", "never"),
    "compare": ("view", "read"),
    "revert": ("change", "change"),
    "password": ("change", "change"),
    "view_on_site": ("view", "read"),
    "object_redirect": ("staff", "read"),
    "index": ("staff", "read"),
    "app_list": ("app", "read"),
    "password_change": ("staff", "staff"),
    "password_change_done": ("staff", "method"),
    "jsi18n": ("staff", "method"),
    "logout": ("method", "staff"),
    "login": ("anyone", "anyone"),
    "autocomplete": ("remote", "method"),
    "catch_all": ("never", "never"),
    # The article form's writing aids (POST only): on the Add page they need
    # "add"; on an article, what WRITING_AIDS says.
    "render_preview": ("method", "add"),
    "autosave": ("method", "add"),
    "discard_autosave": ("method", "add"),
}
WRITING_AIDS = {
    "render_preview": "view",
    "autosave": "change",
    "discard_autosave": "view",
}
SITE_VIEWS = {
    "index",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "jsi18n",
    "autocomplete",
    "app_list",
    "view_on_site",
}


@dataclass
class Request:
    method: str
    url: str
    need: str
    label: str = ""
    model_label: str = ""
    obj: object = None
    data: dict = field(default_factory=dict)
    remote_label: str = ""
    get_need: str = ""  # for a "read" POST: what the GET of the page needs


# --- The objects every URL is asked about ------------------------------------


@pytest.fixture
def identities(roles):
    users = {
        READER: UserFactory(username="reader", is_staff=False),
        NO_ROLE: UserFactory(username="staff-no-role"),
        SUPERUSER: UserFactory(username="root", is_superuser=True),
    }
    for role in ROLES:
        users[role] = UserFactory(
            username=role.lower(), groups=[Group.objects.get(name=role)]
        )
    return users


@pytest.fixture
def objects(identities, country):
    """One object of every model the admin registers, with history to read
    back; three articles: the contributor's draft, another author's draft
    and the contributor's published article, each with two revisions."""
    contributor, someone = identities[CONTRIBUTORS], UserFactory(username="someone")
    partnership = PartnershipFactory(tags=[TagFactory()])
    ParticipantFactory(partnership=partnership, country=country("TR"))
    PartnershipSystemFactory(partnership=partnership, system=SystemFactory())
    SourceFactory(partnership=partnership)
    articles = [
        ArticleFactory(authors=[contributor]),
        ArticleFactory(authors=[someone]),
        PublishedArticleFactory(authors=[contributor]),
    ]
    for article in articles:
        services.record_revision(
            article=article, user=someone, action=RevisionAction.CREATED
        )
        article.save()
        services.record_revision(
            article=article, user=someone, action=RevisionAction.SAVED
        )
    pakistan = country("PK")
    pakistan.save()  # a history row to read back
    seen = {
        "user_agent": "Mozilla/5.0",
        "ip_address": "192.0.2.1",
        "username": "zeynep",
        "http_accept": "text/html",
        "path_info": "/admin/login/",
    }
    return {
        "axes.accessattempt": [
            AccessAttempt.objects.create(
                **seen, get_data="", post_data="", failures_since_start=5
            )
        ],
        "axes.accesslog": [AccessLog.objects.create(**seen)],
        "axes.accessfailurelog": [AccessFailureLog.objects.create(**seen)],
        "auth.group": [Group.objects.get(name="Editors")],
        "accounts.user": [someone],
        "partnerships.entity": [partnership.entity_ptr],
        "partnerships.country": [pakistan],
        "partnerships.bloc": [BlocFactory()],
        "partnerships.organisation": [OrganisationFactory()],
        "partnerships.system": [SystemFactory(makers=[OrganisationFactory()])],
        "partnerships.partnership": [partnership],
        "partnerships.tag": [TagFactory()],
        "articles.article": articles,
        "datasets.importrun": [run := ImportRunFactory()],
        "datasets.dataissue": [
            DataIssueFactory(entity=partnership.entity_ptr, import_run=run)
        ],
        # The contributor's own upload, and one of somebody else's.
        "images.image": [ImageFactory(user=contributor), ImageFactory(user=someone)],
    }


# --- Reading the admin's URL patterns ------------------------------------------


def _model_label(route: str) -> str:
    match = re.match(r"(\w+)/(\w+)/", route)
    for model in admin.site._registry:
        if match and (model._meta.app_label, model._meta.model_name) == match.groups():
            return model._meta.label_lower
    return ""


def _fill(route: str, **values) -> str:
    """A path for a route such as ``x/<path:object_id>/history/``."""
    for name, value in values.items():
        route = re.sub(rf"<(?:\w+:)?{name}>", str(value), route)
    return "/admin/" + route


def _classify(route: str, name: str | None) -> str | None:
    if name in SITE_VIEWS:
        return name
    if name is None and route.endswith("(?P<url>.*)$"):
        return "catch_all"
    if name is None and route.endswith("<path:object_id>/"):
        return "object_redirect"
    if name and name.endswith("_password_change"):
        return "password"
    for kind in sorted(KINDS, key=len, reverse=True):
        if name and name.endswith(f"_{kind}"):
            return kind
    return None


def _model_admin(label: str):
    model = ContentType.objects.get_by_natural_key(*label.split(".")).model_class()
    return admin.site.get_model_admin(model)


def _actions(label: str, obj, location) -> list[Request]:
    """A POST running each of the admin's actions at ``location`` on
    ``obj``, which needs any one of the permissions the action declares."""
    requests = []
    for action in _model_admin(label)._get_base_actions(location):
        if location not in action.locations:
            continue
        prefix = "" if location == ActionLocation.CHANGE_LIST else f"{location.value}-"
        data = {f"{prefix}action": action.name, "index": "0"}
        data["_selected_action"] = [obj.pk]
        if action.name in ("add_tag", "remove_tag"):
            data |= {"apply": "1", "new_tag": "Matrix tag", "tag": ""}
        if action.name in ("delete_selected", "unpublish", "archive"):
            data["post"] = "yes"  # past the page that asks first
        needs = "|".join(getattr(action.func, "allowed_permissions", ())) or "view"
        requests.append(
            Request(
                "POST", "", f"action:{needs}", f"action {action.name}", label, obj, data
            )
        )
    return requests


def _autocompletes() -> list[Request]:
    """A look-up for every autocomplete field of every admin and inline."""
    requests, seen = [], set()
    for model, model_admin in admin.site._registry.items():
        sources = [(model, model_admin)] + [
            (inline.model, inline(model, admin.site)) for inline in model_admin.inlines
        ]
        for source, source_admin in sources:
            for field_name in source_admin.get_autocomplete_fields(None):
                key = (source._meta.label_lower, field_name)
                if key in seen:
                    continue
                seen.add(key)
                remote = source._meta.get_field(field_name).remote_field.model
                url = reverse("admin:autocomplete") + (
                    f"?app_label={source._meta.app_label}"
                    f"&model_name={source._meta.model_name}"
                    f"&field_name={field_name}&term=a"
                )
                for method in ("GET", "POST"):
                    need = KINDS["autocomplete"][method == "POST"]
                    requests.append(
                        Request(
                            method, url, need, remote_label=remote._meta.label_lower
                        )
                    )
    return requests


def admin_requests(objects, root: Client) -> tuple[list[Request], list[str]]:
    """Every admin URL, filled with ``objects``, by GET and by POST; and the
    routes nothing here knows how to judge."""
    requests, unknown = [], []
    scrape = _scraper(root)

    def both(kind, url, **kwargs):
        get_need, post_need = KINDS[kind]
        requests.append(Request("GET", url, get_need, **kwargs))
        requests.append(Request("POST", url, post_need, get_need=get_need, **kwargs))

    for route, name in url_routes(admin.site.get_urls()):
        kind = _classify(route, name)
        if kind is None:
            unknown.append(f"{route} ({name})")
            continue
        label = _model_label(route)
        if label and label not in objects:
            unknown.append(f"{route} (no {label} in the objects fixture)")
            continue
        if kind == "app_list":
            for app_label in sorted({m._meta.app_label for m in admin.site._registry}):
                both(kind, f"/admin/{app_label}/", model_label=app_label)
        elif kind == "catch_all":
            both(kind, "/admin/no-such-page/")
        elif kind == "autocomplete":
            requests += _autocompletes()
        elif kind == "view_on_site":
            for obj_label, objs in objects.items():
                for obj in objs:
                    if hasattr(obj, "get_absolute_url"):
                        ct = ContentType.objects.get_for_model(obj)
                        url = _fill(route, content_type_id=ct.pk, object_id=obj.pk)
                        both(kind, url, model_label=obj_label, obj=obj)
        elif kind in SITE_VIEWS:
            both(kind, reverse(f"admin:{name}"))
        elif kind == "changelist":
            url = reverse(f"admin:{name}")
            requests.append(Request("GET", url, "view", model_label=label))
            for obj in objects[label]:
                for request in _actions(label, obj, ActionLocation.CHANGE_LIST):
                    request.url = url
                    requests.append(request)
        elif kind in WRITING_AIDS:
            url = reverse(f"admin:{name}")
            get_need, post_need = KINDS[kind]
            requests.append(Request("GET", url, get_need, model_label=label))
            draft = {"body": "A draft, typed."}
            requests.append(Request("POST", url, post_need, "new", label, data=draft))
            for obj in objects[label]:
                data = draft | {"article": obj.pk}
                requests.append(
                    Request("POST", url, WRITING_AIDS[kind], "", label, obj, data)
                )
        elif kind == "add":
            url = reverse(f"admin:{name}")
            data = scrape(url)
            requests.append(Request("GET", url, "add", model_label=label))
            requests.append(Request("POST", url, "add", "form", label, data=data))
        else:
            for obj in objects[label]:
                requests += _object_requests(scrape, kind, route, name, label, obj)
    return requests, unknown


def _scraper(root: Client):
    """What the superuser's page at a URL sends unchanged (a copy each time:
    the page is read once, as a record's change form is wanted twice)."""
    pages: dict[str, dict] = {}

    def scrape(url: str) -> dict:
        if url not in pages:
            pages[url] = scraped_form(root.get(url).content.decode())
        return copy.deepcopy(pages[url])

    return scrape


def _object_requests(scrape, kind, route, name, label, obj) -> list[Request]:
    get_need, post_need = KINDS[kind]
    change_url = reverse(f"admin:{label.replace('.', '_')}_change", args=[obj.pk])
    data = {}
    if kind == "simple_history":
        record = obj.history.order_by("history_id").first()
        plain = route.replace("([^/]+)", "{}").replace("^", "").replace("$", "")
        url = "/admin/" + plain.format(obj.pk, record.history_id)
        # What the exploit sends: the change form, with a new name.
        data = scrape(change_url)
        for key in ("name", "title"):
            if key in data:
                data[key] = ["Renamed through the history form"]
    elif kind == "compare":
        url = reverse(f"admin:{name}", args=[obj.pk]) + "?from=1&to=2"
    elif kind == "revert":
        url = reverse(f"admin:{name}", args=[obj.pk, 1])
    elif kind in ("password", "object_redirect"):
        url = _fill(route, id=obj.pk, object_id=obj.pk)
    else:
        url = reverse(f"admin:{name}", args=[obj.pk])
    if kind == "change":
        data = scrape(url)
    elif kind == "delete":
        data = {"post": "yes"}
    requests = [
        Request("GET", url, get_need, model_label=label, obj=obj),
        Request("POST", url, post_need, "form", label, obj, data, get_need=get_need),
    ]
    if kind == "change":
        # Django runs a change form's actions before it asks for the change
        # permission: each is judged by the permissions it declares.
        for request in _actions(label, obj, ActionLocation.CHANGE_FORM):
            request.url = url
            requests.append(request)
    return requests


# --- What the role table expects ---------------------------------------------


def verbs(identity: str, label: str, obj, users) -> set[str]:
    """What ``identity`` may do to ``obj`` (or to its model, for None)."""
    if identity in (ANONYMOUS, READER, NO_ROLE):
        return set()
    if identity == SUPERUSER:
        app, model = label.split(".")
        allowed = verbs_for({f"{app}.{verb}_{model}" for verb in VERBS}, label)
    else:
        allowed = verbs_for(ROLES[identity], label)
    if identity == CONTRIBUTORS and label == "articles.article" and obj is not None:
        if not obj.authors.filter(pk=users[CONTRIBUTORS].pk).exists():
            return set()
        if obj.status != ArticleStatus.DRAFT:
            allowed &= {"view"}
    # Contributors describe only the pictures they uploaded.
    if (
        identity == CONTRIBUTORS
        and label == "images.image"
        and obj is not None
        and obj.uploaded_by_id != users[CONTRIBUTORS].pk
    ):
        allowed -= {"change"}
    return allowed


def expected(identity: str, request: Request, users) -> str:
    """'allow'; 'read' (answered, nothing written); 'deny'; or 'refused'
    (an action not offered: refused, or the page answered as a GET; nothing
    written either way)."""
    need = request.need
    if need == "anyone":
        return "any"
    if identity in (ANONYMOUS, READER):
        return "deny"
    if need == "read":
        as_get = Request(
            "GET", request.url, request.get_need, "", request.model_label, request.obj
        )
        return "read" if expected(identity, as_get, users) == "allow" else "deny"
    if need == "staff":
        return "allow"
    if need in ("never", "method"):
        return "deny"
    if need == "app":
        if identity == SUPERUSER:
            return "allow"
        prefix = request.model_label + "."
        granted = ROLES.get(identity, set())
        return "allow" if any(p.startswith(prefix) for p in granted) else "deny"
    if need == "remote":
        may = verbs(identity, request.remote_label, None, users)
        return "allow" if may & {"view", "change"} else "deny"
    if need.startswith("action:"):
        any_of = set(need.removeprefix("action:").split("|"))
        on_model = verbs(identity, request.model_label, None, users)
        if not on_model & any_of:
            return "refused"
        on_object = verbs(identity, request.model_label, request.obj, users)
        return "allow" if on_object & any_of else "read"
    may = verbs(identity, request.model_label, request.obj, users)
    if need == "view":
        return "allow" if may & {"view", "change"} else "deny"
    return "allow" if need in may else "deny"


# --- Asking ----------------------------------------------------------------------


def _writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")
        and "django_session" not in q["sql"]
    ]


def answer(response) -> str:
    """What the admin did: 'allow', 'deny' or 'as-get' (a POST answered with
    the page a GET shows), or the unexpected status."""
    status = response.status_code
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    if status in (403, 404, 405):
        return "deny"
    if status not in (200, 302):
        return f"status {status}"
    if any("No action selected" in m or "doesn’t exist" in m for m in messages):
        return "deny"
    if status == 302:
        location = response["Location"]
        # The login page, or the admin's index: where Django sends whoever
        # may not see a page, or asks for an object hidden from them.
        refused = location.startswith("/admin/login/") or location == "/admin/"
        return "deny" if refused else "allow"
    templates = {t.name for t in response.templates}
    if response.wsgi_request.method == "POST" and templates & {
        "admin/change_list.html",
    }:
        return "as-get"
    return "allow"


def ask(client: Client, request: Request):
    saved = client.cookies
    client.cookies = type(saved)(saved)
    connection.queries_log.clear()
    try:
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            try:
                if request.method == "GET":
                    response = client.get(request.url)
                else:
                    response = client.post(request.url, request.data)
            finally:
                transaction.set_rollback(True)
    finally:
        client.cookies = saved
    return response, _writes(queries.captured_queries)


def judge(want: str, got: str, writes: list[str]) -> str | None:
    """Why the answer is wrong, or None."""
    if want == "any":
        ok = got in ("allow", "deny", "as-get") and not writes
    elif want == "read":
        ok = got in ("allow", "as-get") and not writes
    elif want == "refused":
        ok = got in ("deny", "as-get") and not writes
    elif want == "deny":
        ok = got == "deny" and not writes
    else:
        ok = got == "allow"
    if ok:
        return None
    return f"want {want}, got {got}" + (f", wrote {writes[0][:60]}…" if writes else "")


def test_every_admin_url_answers_every_identity_as_the_role_table_says(
    identities, objects
):
    root = Client()
    root.force_login(identities[SUPERUSER])
    requests, unknown = admin_requests(objects, root)
    assert unknown == [], (
        "Admin URLs nobody has said who may use (add them to KINDS in "
        "tests/test_admin_role_matrix.py): " + ", ".join(unknown)
    )
    assert len(requests) > 200
    wrong = []
    for identity in IDENTITIES:
        client = Client()
        if identity != ANONYMOUS:
            client.force_login(identities[identity])
        for request in requests:
            want = expected(identity, request, identities)
            response, writes = ask(client, request)
            problem = judge(want, answer(response), writes)
            if problem:
                wrong.append(f"{identity}: {_where(request)}: {problem}")
    assert wrong == [], (
        f"{len(wrong)} of {len(requests) * len(IDENTITIES)} answers differ from "
        "the role table:\n" + "\n".join(wrong)
    )


def _where(request: Request) -> str:
    where = f"{request.method} {request.url} {request.label}".strip()
    if request.model_label == "articles.article" and request.obj is not None:
        authors = ", ".join(a.username for a in request.obj.authors.all())
        where += f" [{request.obj.status} by {authors}]"
    return where


def test_the_readme_prints_the_role_table():
    readme = (ROOT / "README.md").read_text()
    assert role_table_markdown() in readme
