"""Every admin changelist's rows (``coopsite/templatetags/admin_rows.py``,
each column worked out once per page) are the markup Django's own
``result_list`` writes, row for row: on every admin the site registers,
with the demo content and hostile names, drafts, scheduled essays, booleans,
choices, dates and empty values."""

import datetime as dt
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.utils import formats, timezone, translation

from articles.models import Article
from coopsite.templatetags import admin_rows
from partnerships.models import Country, Partnership
from tests.factories import (
    ArticleFactory,
    ParticipantFactory,
    PartnershipFactory,
    PublishedArticleFactory,
    TagFactory,
    UserFactory,
)
from tests.security.payloads import PAYLOADS
from tests.sharing import shared_content

pytestmark = pytest.mark.django_db


def changelist(client, model, query=""):
    """The changelist of ``model``'s admin as the page built it."""
    opts = model._meta
    response = client.get(f"/admin/{opts.app_label}/{opts.model_name}/{query}")
    assert response.status_code == 200, (model, response.status_code)
    return response.context["cl"]


def assert_djangos_rows(cl) -> None:
    ours = admin_rows.result_list(cl)
    djangos = admin_list.result_list(cl)
    assert ["".join(str(c) for c in row) for row in ours["results"]] == [
        "".join(str(c) for c in row) for row in djangos["results"]
    ]
    assert ours["result_headers"] == djangos["result_headers"]
    assert ours["num_sorted_fields"] == djangos["num_sorted_fields"]
    assert ours["result_hidden_fields"] == djangos["result_hidden_fields"]


def _hostile_records() -> None:
    turkiye = Country.objects.get(alpha_2="TR", is_former=False)
    author = UserFactory(first_name="<b>Ada</b>", last_name="O'Brien & co")
    tag = TagFactory(name='Tag "<script>"')
    for name in PAYLOADS[:40]:
        partnership = PartnershipFactory(
            name=name, is_featured=len(name) % 2 == 0, tags=[tag]
        )
        ParticipantFactory(partnership=partnership, country=turkiye)
        PublishedArticleFactory(title=name, authors=[author], tags=[tag])
    ArticleFactory(title="A draft <i>essay</i>")
    PublishedArticleFactory(
        title="Scheduled & soon",
        published_at=timezone.now() + dt.timedelta(days=3),
    )


@pytest.fixture(scope="module")
def hostile_shared(request, demo_shared, django_db_blocker):
    yield from shared_content(request, django_db_blocker, _hostile_records)


@pytest.fixture
def hostile(hostile_shared, demo):
    """Beside the demo, records and essays named with the payload corpus, a
    tag, a byline, a featured record, a draft and a scheduled essay: made
    once for this module, every test's changes to them rolled back."""


def test_every_registered_changelist_writes_djangos_rows(superuser_client, hostile):
    written = set()
    for model in admin.site._registry:
        cl = changelist(superuser_client, model)
        assert_djangos_rows(cl)
        if admin_rows.row_writers(cl) is not None and cl.result_list:
            written.add(model)
    assert {Article, Partnership} <= written


@pytest.mark.parametrize(
    ("model", "query"),
    [
        (Article, ""),
        (Article, "?o=-3.2"),
        (Article, "?status__exact=draft"),
        (Article, "?status__exact=published&o=-3&q=%3C"),
        (Partnership, ""),
        (Partnership, "?o=2.-4"),
        (Partnership, "?is_featured__exact=1&_popup=1"),
    ],
)
def test_the_article_and_partnership_rows_are_written_a_column_at_a_time(
    superuser_client, hostile, model, query
):
    cl = changelist(superuser_client, model, query)
    assert admin_rows.row_writers(cl) is not None
    assert cl.result_list
    assert_djangos_rows(cl)


def test_a_column_only_a_row_can_answer_leaves_the_rows_to_django(
    superuser_client, hostile
):
    cl = changelist(superuser_client, Partnership)
    cl.list_display = [*cl.list_display, "start"]  # a property of the model
    assert admin_rows.row_writers(cl) is None
    assert_djangos_rows(cl)


@pytest.mark.parametrize("model", [Article, Partnership])
def test_the_changelist_page_writes_its_rows_without_djangos_cell_by_cell_lookup(
    superuser_client, hostile, model
):
    with mock.patch.object(
        admin_list, "items_for_result", side_effect=AssertionError("a cell at a time")
    ):
        cl = changelist(superuser_client, model)
    assert len(cl.result_list) > 40


@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_date_columns_are_djangos_in_another_language(
    superuser_client, hostile, language
):
    """The dates' words (months, a.m. and p.m.), translated once per page,
    are each row's own: morning, afternoon, noon and midnight, in every
    month."""
    moments = [
        dt.datetime(2025, month, 1 + month, hour, minute, tzinfo=dt.UTC)
        for month, (hour, minute) in zip(
            range(1, 13),
            [(0, 0), (12, 0), (9, 5), (15, 30), (11, 59), (23, 1)] * 2,
            strict=True,
        )
    ]
    for moment in moments:
        PublishedArticleFactory(title=f"At {moment}", published_at=moment)
    cl = changelist(superuser_client, Article, "?o=-3&q=At+2025")
    with translation.override(language):
        assert_djangos_rows(cl)
        shown = "".join(
            str(c) for row in admin_rows.result_list(cl)["results"] for c in row
        )
    with translation.override(language):
        month = formats.date_format(moments[-1], "DATETIME_FORMAT")
    assert month in shown
