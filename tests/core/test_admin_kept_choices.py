"""The admin lists' "related only" filters (an article's authors and tags, a
partnership's countries and tags), their date hierarchy and their count of
rows are read once per version of the data and per user, not by reading
every row on every request; a committed change is in them on the next
request."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import PartnershipFactory, PublishedArticleFactory, TagFactory

pytestmark = pytest.mark.django_db

ARTICLES = "/admin/articles/article/"
PARTNERSHIPS = "/admin/partnerships/partnership/"


# What each kind of read looks like in SQL: a filter's choices read the
# related table for the keys the list's rows have (or, where the user sees
# every row, whether each related object has a link at all); the date
# hierarchy reads the list's date range and its distinct years.
CHOICE_LOOKUP = (" IN (SELECT DISTINCT", " WHERE EXISTS(SELECT")
DATE_READS = ('"datefield"', 'AS "first"')


def page_and_reads(client, path, markers) -> tuple[str, list[str]]:
    """The page, and the queries it ran whose SQL holds one of ``markers``."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    reads = [
        q["sql"]
        for q in captured.captured_queries
        if any(marker in q["sql"] for marker in markers)
    ]
    return response.content.decode(), reads


def choice_queries(client, path) -> tuple[str, list[str]]:
    return page_and_reads(client, path, CHOICE_LOOKUP)


def date_queries(client, path) -> tuple[str, list[str]]:
    return page_and_reads(client, path, DATE_READS)


def test_article_filters_are_looked_up_once_per_version(
    kept_counts, editor_client, commit
):
    with commit():
        PublishedArticleFactory(tags=[TagFactory(name="Drones")])
    page, first = choice_queries(editor_client, ARTICLES)
    assert len(first) == 2  # authors, tags
    assert "Drones" in page

    page, again = choice_queries(editor_client, ARTICLES)
    assert again == []
    assert "Drones" in page

    with commit():
        PublishedArticleFactory(tags=[TagFactory(name="Radars")])
    page, after_change = choice_queries(editor_client, ARTICLES)
    assert len(after_change) == 2
    assert "Radars" in page


def test_partnership_filters_follow_a_new_tag(kept_counts, superuser_client, commit):
    with commit():
        PartnershipFactory(tags=[TagFactory(name="Air defence")])
    page, first = choice_queries(superuser_client, PARTNERSHIPS)
    assert len(first) == 2  # countries, tags
    assert "Air defence" in page
    assert choice_queries(superuser_client, PARTNERSHIPS)[1] == []

    with commit():
        PartnershipFactory(tags=[TagFactory(name="Armour")])
    page, _ = choice_queries(superuser_client, PARTNERSHIPS)
    assert "Armour" in page


def test_each_user_has_the_choices_of_the_rows_they_see(
    kept_counts, editor, contributor, commit
):
    editor_client, contributor_client = Client(), Client()
    editor_client.force_login(editor)
    contributor_client.force_login(contributor)
    with commit():
        PublishedArticleFactory(tags=[TagFactory(name="Someone else's tag")])
        PublishedArticleFactory(authors=[contributor], tags=[TagFactory(name="Mine")])
    editor_page, _ = choice_queries(editor_client, ARTICLES)
    assert "Someone else" in editor_page

    contributor_page, lookups = choice_queries(contributor_client, ARTICLES)
    assert lookups, "the editor's choices are not the contributor's"
    assert "Mine" in contributor_page
    assert "Someone else" not in contributor_page


def test_the_date_hierarchy_is_read_once_per_version(
    kept_counts, superuser_client, commit
):
    with commit():
        PartnershipFactory(start_date=dt.date(2019, 5, 1))
        PartnershipFactory(start_date=dt.date(2021, 5, 1))
    page, first = date_queries(superuser_client, PARTNERSHIPS)
    assert len(first) == 2  # the range, the years
    assert "start_date__year=2019" in page
    assert "start_date__year=2021" in page

    page, again = date_queries(superuser_client, PARTNERSHIPS)
    assert again == []
    assert "start_date__year=2021" in page

    with commit():
        PartnershipFactory(start_date=dt.date(2023, 5, 1))
    page, _ = date_queries(superuser_client, PARTNERSHIPS)
    assert "start_date__year=2023" in page


def test_a_filtered_list_has_the_years_of_its_own_rows(
    kept_counts, superuser_client, commit
):
    with commit():
        PartnershipFactory(start_date=dt.date(2019, 5, 1), kind="export")
        PartnershipFactory(start_date=dt.date(2021, 5, 1), kind="exercise")
    superuser_client.get(PARTNERSHIPS)  # the whole list's years, kept
    page, reads = date_queries(superuser_client, f"{PARTNERSHIPS}?kind__exact=export")
    assert reads
    assert "start_date__year=2021" not in page


# The paginator's count of the list's rows.
COUNT_READS = ('SELECT COUNT(*) AS "__count"',)


def count_queries(client, path) -> tuple[str, list[str]]:
    return page_and_reads(client, path, COUNT_READS)


@pytest.mark.parametrize(
    ("path", "rows"), [(ARTICLES, "articles"), (PARTNERSHIPS, "partnerships")]
)
def test_a_list_is_counted_once_per_version(
    kept_counts, superuser_client, commit, path, rows
):
    with commit():
        PublishedArticleFactory.create_batch(2)
        PartnershipFactory.create_batch(2)
    page, first = count_queries(superuser_client, path)
    assert len(first) == 1
    page, again = count_queries(superuser_client, path)
    assert again == []
    assert f"2 {rows}" in page

    with commit():
        PublishedArticleFactory()
        PartnershipFactory()
    page, after_change = count_queries(superuser_client, path)
    assert len(after_change) == 1
    assert f"3 {rows}" in page


def test_each_user_and_each_filter_has_the_count_of_its_own_rows(
    kept_counts, editor, contributor, commit
):
    editor_client, contributor_client = Client(), Client()
    editor_client.force_login(editor)
    contributor_client.force_login(contributor)
    with commit():
        PublishedArticleFactory.create_batch(3)
        PublishedArticleFactory(authors=[contributor])
    editor_page, _ = count_queries(editor_client, ARTICLES)
    assert "4 articles" in editor_page

    contributor_page, reads = count_queries(contributor_client, ARTICLES)
    assert reads, "the editor's count is not the contributor's"
    assert "1 article" in contributor_page

    filtered, reads = count_queries(editor_client, f"{ARTICLES}?q=qqzzxxqq")
    assert reads
    assert "0 articles" in filtered


def test_a_querysets_text_is_its_own_not_its_clones(db):
    """The SQL that names a list (its kept count and dates) is written once
    for a queryset, and a narrower queryset made from it has its own."""
    from articles.models import Article
    from coopsite.filtering import query_text

    everything = Article.objects.all()
    assert query_text(everything) == str(everything.query)
    drafts = everything.filter(status="draft")
    assert query_text(drafts) == str(drafts.query) != query_text(everything)
    assert query_text(everything[:5]) == str(everything[:5].query)


# --- The choices, asked of the links ----------------------------------------------------


def related_only_filters(user):
    """Each registered admin list's "related only" filters, as that list
    makes them for ``user``: (admin, filter)."""
    from django.contrib import admin
    from django.test import RequestFactory

    from coopsite.admin import KeptRelatedOnlyFilter

    request = RequestFactory().get("/admin/")
    request.user = user
    for model_admin in admin.site._registry.values():
        if not model_admin.has_view_permission(request):
            continue
        changelist = model_admin.get_changelist_instance(request)
        for spec in changelist.filter_specs:
            if isinstance(spec, KeptRelatedOnlyFilter):
                yield model_admin, spec, request


def test_the_choices_are_those_django_reads_from_the_rows(
    editor, contributor, superuser, db
):
    """Every "related only" filter of every list offers what Django's own
    offers: only objects some row of the list (that the user may see) links
    to, a tag only records have not on the articles' list, an unused one on
    none, a country only in an exercise on the partnerships' list."""
    from django.contrib.admin import RelatedOnlyFieldListFilter
    from django.contrib.admin.utils import get_fields_from_path

    from tests.factories import OrganisationFactory, ParticipantFactory

    TagFactory(name="Unused")
    PartnershipFactory(tags=[TagFactory(name="Only on records")])
    ParticipantFactory()
    OrganisationFactory()
    PublishedArticleFactory(authors=[contributor], tags=[TagFactory(name="Mine")])
    PublishedArticleFactory(tags=[TagFactory(name="Theirs")])
    compared = set()
    for user in (editor, contributor, superuser):
        for model_admin, spec, request in related_only_filters(user):
            field = get_fields_from_path(model_admin.model, spec.field_path)[-1]
            ours = spec.choices_of_rows(field, request, model_admin)
            djangos = RelatedOnlyFieldListFilter.field_choices(
                spec, field, request, model_admin
            )
            assert ours == djangos, (user, model_admin, spec.field_path)
            assert ours, (user, model_admin, spec.field_path)
            compared.add((model_admin.model._meta.label, spec.field_path))
    assert {
        ("articles.Article", "authors"),
        ("articles.Article", "tags"),
        ("partnerships.Partnership", "participants__country"),
        ("partnerships.Partnership", "tags"),
    } <= compared


@pytest.mark.parametrize("path", [ARTICLES, PARTNERSHIPS])
def test_where_every_row_is_seen_each_choice_is_probed_not_every_row_read(
    kept_counts, superuser_client, path
):
    """Whoever sees every row: the list's choices ask the links' table
    whether each tag, author or country has one, never join the list's own
    table (at 100,000 articles a tenth of a second after each save, against
    a millisecond)."""
    PublishedArticleFactory(tags=[TagFactory(name="Drones")])
    PartnershipFactory(tags=[TagFactory(name="Radars")])
    _page, lookups = choice_queries(superuser_client, path)
    assert len(lookups) == 2
    for sql in lookups:
        assert " WHERE EXISTS(SELECT" in sql
        assert " IN (SELECT" not in sql
        assert "JOIN" not in sql.split("EXISTS(", 1)[1], sql


def test_after_a_save_the_years_are_the_last_read_until_read_again(
    superuser_client, commit, stale_counts
):
    """After a save the date hierarchy shows the years last read, at once,
    while they are read again in the background; then the new year."""
    with commit():
        PartnershipFactory(start_date=dt.date(2019, 5, 1))
        PartnershipFactory(start_date=dt.date(2021, 5, 1))
    superuser_client.get(PARTNERSHIPS)
    with commit():
        PartnershipFactory(start_date=dt.date(2023, 5, 1))
    page, reads = date_queries(superuser_client, PARTNERSHIPS)
    assert not [sql for sql in reads if '"datefield"' in sql]
    assert "start_date__year=2021" in page
    assert "start_date__year=2023" not in page
    # The list itself is the data's: every row, counted afresh.
    assert "3 partnerships" in page

    stale_counts.run()
    page, reads = date_queries(superuser_client, PARTNERSHIPS)
    assert not [sql for sql in reads if '"datefield"' in sql]
    assert "start_date__year=2023" in page


def test_after_a_save_the_filters_offer_the_last_choices_until_read_again(
    superuser_client, commit, stale_counts
):
    """After a save the list's filters offer the choices last read, at once
    (no lookup), and those filters are not kept for the new version; once
    the background has read the choices again, the new tag is offered."""
    with commit():
        PartnershipFactory(tags=[TagFactory(name="Air defence")])
    assert "Air defence" in superuser_client.get(PARTNERSHIPS).content.decode()
    with commit():
        PartnershipFactory(tags=[TagFactory(name="Armour")])
    page, lookups = choice_queries(superuser_client, PARTNERSHIPS)
    assert lookups == []
    assert "Air defence" in filters_of(page)
    assert "Armour" not in filters_of(page)
    # The list itself is the data's.
    assert "2 partnerships" in page
    assert "Armour" in page

    stale_counts.run()
    page, lookups = choice_queries(superuser_client, PARTNERSHIPS)
    assert lookups == []
    assert "Armour" in filters_of(page)
    # That request, answered nothing older than the data, kept what it
    # wrote: the next one reads no row's participants to write them again.
    with CaptureQueriesContext(connection) as again:
        superuser_client.get(PARTNERSHIPS)
    assert not [
        q
        for q in again.captured_queries
        if 'FROM "partnerships_participant"' in q["sql"] and "EXISTS(" not in q["sql"]
    ]


def filters_of(page: str) -> str:
    """The changelist's filter sidebar."""
    start = page.index('id="changelist-filter"')
    return page[start : page.index("</nav>", start)]
