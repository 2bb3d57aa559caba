"""Every admin changelist's filter sidebar (``templates/admin/filter.html``,
its choices written in one piece by ``coopsite/templatetags/admin_choices``)
is the markup Django's own template writes, choice for choice: on every
admin the site registers, with the demo content and hostile names, with a
filter chosen and with none."""

from pathlib import Path

import django.contrib.admin
import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.template import engines
from django.template.loader import get_template

from articles.models import Article
from partnerships.models import Country, Partnership
from tests.factories import (
    ParticipantFactory,
    PartnershipFactory,
    PublishedArticleFactory,
    TagFactory,
    UserFactory,
)
from tests.security.payloads import PAYLOADS

DJANGOS = (
    Path(django.contrib.admin.__file__).parent / "templates" / "admin" / "filter.html"
)


@pytest.fixture
def hostile(demo):
    turkiye = Country.objects.get(alpha_2="TR", is_former=False)
    author = UserFactory(first_name="<b>Ada</b>", last_name="O'Brien & co")
    tag = TagFactory(name='Tag "<script>" & co')
    for name in PAYLOADS[:20]:
        partnership = PartnershipFactory(name=name, tags=[tag])
        ParticipantFactory(partnership=partnership, country=turkiye)
        PublishedArticleFactory(title=name, authors=[author], tags=[tag])


def sidebars(client, path) -> tuple[list[str], list[str]]:
    """Each filter of the changelist at ``path``, as the site's template
    writes it and as Django's does."""
    response = client.get(path)
    assert response.status_code == 200, path
    cl = response.context["cl"]
    djangos = engines["django"].from_string(DJANGOS.read_text())
    ours, theirs = [], []
    for spec in cl.filter_specs:
        assert spec.template == "admin/filter.html"
        context = {"title": spec.title, "choices": list(spec.choices(cl)), "spec": spec}
        ours.append(get_template(spec.template).render(context))
        theirs.append(djangos.render(context))
    return ours, theirs


def test_every_registered_changelist_writes_djangos_filters(superuser_client, hostile):
    shown = 0
    for model in admin.site._registry:
        opts = model._meta
        ours, theirs = sidebars(
            superuser_client, f"/admin/{opts.app_label}/{opts.model_name}/"
        )
        assert ours == theirs, model
        shown += len(ours)
    assert shown > 10


@pytest.mark.parametrize(
    ("model", "query"),
    [
        (Article, "?status__exact=published"),
        (Article, "?tags__id__exact=1&o=2"),
        (Partnership, "?is_featured__exact=0&_popup=1"),
        (Partnership, "?kind__exact=arms_transfer&q=%3Cscript%3E"),
    ],
)
def test_a_chosen_filter_is_written_as_django_writes_it(
    superuser_client, hostile, model, query
):
    opts = model._meta
    ours, theirs = sidebars(
        superuser_client, f"/admin/{opts.app_label}/{opts.model_name}/{query}"
    )
    assert ours == theirs
    assert any('class="selected"' in sidebar for sidebar in ours)


def test_the_changelist_page_shows_its_hostile_choices_escaped(
    superuser_client, hostile
):
    page = superuser_client.get("/admin/articles/article/").content.decode()
    assert "&lt;b&gt;Ada&lt;/b&gt;" in page
    assert "Tag &quot;&lt;script&gt;&quot; &amp; co" in page
    assert "<b>Ada</b>" not in page
    assert '"<script>"' not in page


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?status__exact=published&o=-3",
        "?q=a%26b%3Dc+%C3%A9&tags__id__exact=2&authors__id__exact=1&_popup=1",
        "?published_at__year=2025&published_at__month=3&q=%3Cscript%3E",
    ],
)
def test_each_choice_address_is_djangos(superuser_client, hostile, query):
    """The addresses the site's changelist writes for a choice, the list's
    parameters kept (``QueryStringChangeList``), are Django's."""
    response = superuser_client.get(f"/admin/articles/article/{query}")
    cl = response.context["cl"]
    asked = [
        ({"status__exact": "draft"}, ["status__isnull"]),
        ({"tags__id__exact": 7}, ["tags__isnull"]),
        ({"authors__id__exact": "1&x=<y>"}, None),
        ({"p": 3}, None),
        ({"o": "2.-3"}, []),
        ({"all": ""}, None),
        ({"published_at__year": "2024"}, ["published_at__"]),
        ({"aa": ["1", "2"]}, ["zz"]),
        ({"status__exact": None}, ["status__"]),
        ({"status__exact": "x", "o": "1"}, None),
        (None, ["status__exact", "status__isnull"]),
        (None, None),
    ]
    for new, remove in asked * 2:  # the second time, from what it kept
        assert cl.get_query_string(new, remove) == ChangeList.get_query_string(
            cl, new, remove
        ), (new, remove)
