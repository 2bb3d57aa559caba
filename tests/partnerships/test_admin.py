import re
from unittest import mock

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from partnerships.models import Participant, Partnership, Tag
from tests.admin_forms import inline_management, scraped_form
from tests.factories import (
    AliasFactory,
    ArticleEntityLinkFactory,
    BlocMembershipFactory,
    CountryFactory,
    OrganisationFactory,
    ParticipantFactory,
    PartnershipFactory,
    PublishedArticleFactory,
    SystemFactory,
    TagFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.long(4)]

CHANGELISTS = [
    "admin:partnerships_country_changelist",
    "admin:partnerships_bloc_changelist",
    "admin:partnerships_organisation_changelist",
    "admin:partnerships_system_changelist",
    "admin:partnerships_partnership_changelist",
    "admin:partnerships_tag_changelist",
]


@pytest.mark.parametrize("url_name", CHANGELISTS)
def test_every_record_changelist_and_add_form_opens(superuser_client, url_name):
    assert superuser_client.get(reverse(url_name)).status_code == 200
    add = url_name.replace("changelist", "add")
    assert superuser_client.get(reverse(add)).status_code == 200


def _partnerships_with_participants(count, country):
    tags = TagFactory.create_batch(2)
    for _ in range(count):
        partnership = PartnershipFactory(tags=tags)
        ParticipantFactory(
            partnership=partnership, country=country("TR"), role="supplier"
        )
        ParticipantFactory(
            partnership=partnership,
            country=None,
            organisation=OrganisationFactory(),
            role="recipient",
        )


def test_partnership_changelist_queries_do_not_grow_with_rows(
    superuser_client, country, django_assert_num_queries
):
    url = reverse("admin:partnerships_partnership_changelist")
    _partnerships_with_participants(3, country)
    superuser_client.get(url)  # warm the session and content types
    with django_assert_num_queries(10) as few:
        response = superuser_client.get(url)
    _partnerships_with_participants(30, country)
    with django_assert_num_queries(len(few.captured_queries)):
        response = superuser_client.get(url)
    assert response.context["cl"].result_count == 33


def test_partnership_changelist_reads_a_pages_names_without_every_partnership(
    superuser_client, country
):
    """Each row's participants (by role, then as added) and tags (by name),
    read as names for the page's rows only: not sorted by their
    partnership's date and name, which joined and read every partnership,
    and not as model instances (five hundred of them for a page)."""
    _partnerships_with_participants(3, country)
    TagFactory(name="Aardvark").partnerships.add(*Partnership.objects.all())
    url = reverse("admin:partnerships_partnership_changelist")
    made = []
    make = Participant.from_db.__func__

    def counted(cls, *args, **kwargs):
        made.append(cls)
        return make(cls, *args, **kwargs)

    with (
        CaptureQueriesContext(connection) as captured,
        mock.patch.object(Participant, "from_db", classmethod(counted)),
    ):
        response = superuser_client.get(url)
    assert made == []
    # The rows' names (not the filters' choices, which ask whether a
    # country or tag has a link at all: EXISTS).
    rows_queries = [
        q["sql"] for q in captured.captured_queries if "EXISTS(" not in q["sql"]
    ]
    (participants,) = [
        sql for sql in rows_queries if 'FROM "partnerships_participant"' in sql
    ]
    assert '"partnerships_partnership"."start_date"' not in participants
    (tags,) = [
        sql for sql in rows_queries if 'FROM "partnerships_partnership_tags"' in sql
    ]
    assert '"partnerships_tag"."description"' not in tags
    page = response.content.decode()
    cells = re.findall(r'<td class="field-participant_names">([^<]*)</td>', page)
    assert len(cells) == 3
    supplier = escape(country("TR").name)
    for cell in cells:  # the recipient, then the supplier
        assert cell.endswith(f", {supplier}"), cell
        assert not cell.startswith(supplier), cell
    tags = re.findall(r'<td class="field-tag_names">([^<]*)</td>', page)
    assert len(tags) == 3
    for cell in tags:
        names = cell.split(", ")
        assert names[0] == "Aardvark"
        assert names == sorted(names)
        assert len(names) == 3


@pytest.mark.parametrize(
    ("url_name", "queries"),
    [
        ("admin:partnerships_organisation_changelist", 5),
        ("admin:partnerships_system_changelist", 6),
    ],
)
def test_organisation_and_system_changelists_do_not_grow_with_rows(
    superuser_client, country, django_assert_num_queries, url_name, queries
):
    def make(count):
        for _ in range(count):
            maker = OrganisationFactory(home_country=country("TR"))
            SystemFactory(origin_country=country("KR"), makers=[maker])

    url = reverse(url_name)
    make(1)
    superuser_client.get(url)
    with django_assert_num_queries(queries):
        superuser_client.get(url)
    make(20)
    with django_assert_num_queries(queries):
        superuser_client.get(url)


@pytest.mark.parametrize(
    ("url_name", "make", "queries"),
    [
        ("admin:partnerships_tag_changelist", lambda n: TagFactory.create_batch(n), 5),
        (
            "admin:partnerships_bloc_changelist",
            lambda n: BlocMembershipFactory.create_batch(n),
            4,
        ),
        (
            "admin:partnerships_country_changelist",
            lambda n: CountryFactory.create_batch(n),
            7,
        ),
    ],
)
def test_other_record_changelists_do_not_grow_with_rows(
    superuser_client, django_assert_num_queries, url_name, make, queries
):
    url = reverse(url_name)
    make(2)
    superuser_client.get(url)
    with django_assert_num_queries(queries):
        superuser_client.get(url)
    make(25)
    with django_assert_num_queries(queries):
        superuser_client.get(url)


def test_partnership_changelist_filters_by_kind_status_country_and_tag(
    superuser_client, country
):
    drones = TagFactory(name="Drones")
    sale = PartnershipFactory(name="TB2 to Poland", kind="export", tags=[drones])
    ParticipantFactory(partnership=sale, country=country("PL"))
    PartnershipFactory(name="Efes-2022", kind="exercise", status="completed")
    url = reverse("admin:partnerships_partnership_changelist")

    def names(query):
        response = superuser_client.get(url, query)
        return {p.name for p in response.context["cl"].result_list}

    assert names({"kind__exact": "exercise"}) == {"Efes-2022"}
    assert names({"status__exact": "completed"}) == {"Efes-2022"}
    assert names({"participants__country__entity_ptr__exact": country("PL").pk}) == {
        "TB2 to Poland"
    }
    assert names({"tags__id__exact": drones.pk}) == {"TB2 to Poland"}


def test_the_country_filter_offers_only_countries_that_take_part(
    superuser_client, country
):
    ParticipantFactory(country=country("PL"))
    response = superuser_client.get(
        reverse("admin:partnerships_partnership_changelist")
    )
    country_filter = next(
        spec
        for spec in response.context["cl"].filter_specs
        if spec.field_path == "participants__country"
    )
    assert [label for _pk, label in country_filter.lookup_choices] == ["Poland"]


def test_adding_a_partnership_with_partial_dates_and_participants(
    superuser_client, country
):
    tag = TagFactory(name="Drones")
    system = SystemFactory(name="Bayraktar TB2")
    data = {
        "name": "TB2 sale to Poland",
        "slug": "tb2-sale-to-poland",
        "kind": "export",
        "status": "completed",
        "summary": "24 aircraft in four sets.",
        "start": "2021-05",
        "end": "2022",
        "end_is_estimate": "on",
        "tags": [tag.pk],
        **inline_management("participants", 2),
        "participants-0-role": "supplier",
        "participants-0-country": country("TR").pk,
        "participants-1-role": "recipient",
        "participants-1-country": country("PL").pk,
        **inline_management("system_lines", 1),
        "system_lines-0-system": system.pk,
        "system_lines-0-quantity_ordered": "24",
        **inline_management("sources", 0),
        **inline_management("aliases", 1),
        "aliases-0-name": "Polish TB2 order",
        **inline_management("external_ids", 0),
    }
    response = superuser_client.post(
        reverse("admin:partnerships_partnership_add"), data
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    partnership = Partnership.objects.get(slug="tb2-sale-to-poland")
    assert str(partnership.start) == "May 2021"
    assert str(partnership.end) == "c. 2022"
    assert {p.actor.name for p in partnership.participants.all()} == {
        "Türkiye",
        "Poland",
    }
    assert partnership.system_lines.get().quantity_ordered == 24
    assert partnership.aliases.get().name == "Polish TB2 order"
    assert list(partnership.tags.all()) == [tag]


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("May 2021", "", "start", "is not a year (2017)"),
        ("2021-13", "", "start", "not a real date"),
        ("2021", "2020", "end", "cannot come before"),
    ],
)
def test_bad_partnership_dates_are_form_errors_and_save_nothing(
    superuser_client, start, end, field, message
):
    data = {
        "name": "Bad dates",
        "slug": "bad-dates",
        "kind": "export",
        "status": "active",
        "start": start,
        "end": end,
        **inline_management("participants", 0),
        **inline_management("system_lines", 0),
        **inline_management("sources", 0),
        **inline_management("aliases", 0),
        **inline_management("external_ids", 0),
    }
    response = superuser_client.post(
        reverse("admin:partnerships_partnership_add"), data
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert not Partnership.objects.filter(slug="bad-dates").exists()


def test_a_participant_row_with_two_actors_is_refused(superuser_client, country):
    data = {
        "name": "Two actors",
        "slug": "two-actors",
        "kind": "export",
        "status": "active",
        **inline_management("participants", 1),
        "participants-0-role": "supplier",
        "participants-0-country": country("TR").pk,
        "participants-0-organisation": OrganisationFactory().pk,
        **inline_management("system_lines", 0),
        **inline_management("sources", 0),
        **inline_management("aliases", 0),
        **inline_management("external_ids", 0),
    }
    response = superuser_client.post(
        reverse("admin:partnerships_partnership_add"), data
    )
    assert response.status_code == 200
    assert b"Choose exactly one participant" in response.content
    assert not Partnership.objects.filter(slug="two-actors").exists()


@pytest.mark.parametrize("saved", [True, False], ids=["one saved", "both new"])
def test_a_participant_twice_in_one_role_is_refused_in_words(
    superuser_client, country, saved
):
    """The database's constraints answer in the form's words, not by name."""
    deal = PartnershipFactory(name="Twice", kind="export")
    if saved:
        ParticipantFactory(partnership=deal, country=country("AZ"), role="recipient")
    url = reverse("admin:partnerships_partnership_change", args=[deal.pk])
    data = scraped_form(superuser_client.get(url).content.decode())
    first = 1 if saved else 0
    rows = [("recipient", country("AZ").pk)] * (1 if saved else 2)
    rows.append(("supplier", ""))
    for n, (role, actor) in enumerate(rows, start=first):
        data[f"participants-{n}-role"] = role
        data[f"participants-{n}-country"] = actor
    data["participants-TOTAL_FORMS"] = str(first + len(rows))
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Constraint" not in page
    assert (
        "This country is already a participant of this partnership in this role"
        in (page)
        or "Please correct the duplicate data" in page
    )
    assert page.count("Choose exactly one participant") == 1
    assert deal.participants.count() == (1 if saved else 0)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("alpha_3", "tu", "3 capital letters"),
        ("alpha_2", "P1", "2 capital letters"),
        ("numeric", "abc", "Three digits"),
        ("latitude", "91", "less than or equal to 90"),
        ("longitude", "-181", "greater than or equal to -180"),
        ("alpha_2", "PK", "Another current country has this ISO alpha-2 code."),
    ],
)
def test_a_country_keeps_iso_codes_and_coordinates_that_can_be(
    superuser_client, country, field, value, message
):
    turkiye = country("TR")
    url = reverse("admin:partnerships_country_change", args=[turkiye.pk])
    data = scraped_form(superuser_client.get(url).content.decode())
    data[field] = value
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Constraint" not in page
    turkiye.refresh_from_db()
    assert (turkiye.alpha_2, turkiye.alpha_3, turkiye.numeric) == ("TR", "TUR", "792")


def test_two_aliases_that_read_the_same_are_refused(superuser_client):
    organisation = OrganisationFactory(name="Turkish Aerospace", slug="tusas")
    data = {
        "name": "Turkish Aerospace",
        "slug": "tusas",
        "kind": "company",
        **inline_management("aliases", 2),
        "aliases-0-name": "TUSAŞ",
        "aliases-1-name": "Tusas",
        **inline_management("external_ids", 0),
    }
    response = superuser_client.post(
        reverse("admin:partnerships_organisation_change", args=[organisation.pk]), data
    )
    assert response.status_code == 200
    assert "the same alias" in response.content.decode()
    assert organisation.aliases.count() == 0


def test_an_alias_another_record_of_its_kind_is_called_is_refused(
    superuser_client,
):
    """ "Pakistan" as an alias of another organisation's name, or of its
    alias, would make the name mean either: refused, naming the other one.
    A record of another kind may be called so (a company and its system)."""
    OrganisationFactory(name="Baykar", slug="baykar")
    aselsan = OrganisationFactory(name="Aselsan", slug="aselsan")
    AliasFactory(entity=aselsan, name="ASELSAN A.Ş.")
    SystemFactory(name="Kemankeş")
    organisation = OrganisationFactory(name="Turkish Aerospace", slug="tusas")
    url = reverse("admin:partnerships_organisation_change", args=[organisation.pk])

    def save(*aliases):
        data = scraped_form(superuser_client.get(url).content.decode())
        data.update(inline_management("aliases", len(aliases)))
        data.update({f"aliases-{n}-name": alias for n, alias in enumerate(aliases)})
        return superuser_client.post(url, data)

    for taken, owner in [("BAYKAR", "Baykar"), ("Aselsan A.S.", "Aselsan")]:
        response = save(taken)
        assert response.status_code == 200
        assert (
            f"“{taken}” is already what another organisation is called ({owner})"
            in response.content.decode()
        )
        assert organisation.aliases.count() == 0
    response = save("Kemankeş", "TUSAŞ")
    assert response.status_code == 302, response.context["errors"]
    assert sorted(organisation.aliases.values_list("name", flat=True)) == [
        "Kemankeş",
        "TUSAŞ",
    ]


# --- Bulk tag and untag ------------------------------------------------------


def _action(client, action, partnerships, **extra):
    return client.post(
        reverse("admin:partnerships_partnership_changelist"),
        {"action": action, "_selected_action": [p.pk for p in partnerships], **extra},
    )


def test_bulk_tag_shows_a_page_to_choose_the_tag_first(superuser_client):
    partnerships = PartnershipFactory.create_batch(2)
    response = _action(superuser_client, "add_tag", partnerships)
    assert response.status_code == 200
    assert (
        response.templates[0].name == "admin/partnerships/partnership/tag_action.html"
    )
    for partnership in partnerships:
        assert partnership.name in response.content.decode()
    assert not Tag.objects.filter(partnerships__in=partnerships).exists()


def test_bulk_tag_applies_an_existing_tag_once_and_logs_it(superuser_client):
    drones = TagFactory(name="Drones")
    tagged = PartnershipFactory(tags=[drones])
    untagged = PartnershipFactory()
    response = _action(
        superuser_client, "add_tag", [tagged, untagged], apply="1", tag=drones.pk
    )
    assert response.status_code == 302
    assert set(drones.partnerships.all()) == {tagged, untagged}
    assert LogEntry.objects.filter(object_id=str(untagged.pk)).count() == 1
    assert not LogEntry.objects.filter(object_id=str(tagged.pk)).exists()


def test_bulk_tag_can_create_a_new_tag(superuser_client):
    partnerships = PartnershipFactory.create_batch(3)
    _action(
        superuser_client, "add_tag", partnerships, apply="1", new_tag="Local production"
    )
    tag = Tag.objects.get(name="Local production")
    assert tag.slug == "local-production"
    assert tag.partnerships.count() == 3


def test_bulk_tag_without_a_tag_is_a_form_error_and_changes_nothing(superuser_client):
    partnerships = PartnershipFactory.create_batch(2)
    response = _action(superuser_client, "add_tag", partnerships, apply="1")
    assert response.status_code == 200
    assert "Choose a tag." in response.content.decode()
    assert not Tag.objects.exists()


@pytest.mark.parametrize("action", ["add_tag", "remove_tag"])
@pytest.mark.parametrize("forged", ["abc", "99999999999999999999"])
def test_bulk_tag_with_a_forged_tag_is_a_form_error_and_changes_nothing(
    superuser_client, action, forged
):
    drones = TagFactory(name="Drones")
    partnerships = [PartnershipFactory(tags=[drones]), PartnershipFactory()]
    response = _action(superuser_client, action, partnerships, apply="1", tag=forged)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert [list(p.tags.all()) for p in partnerships] == [[drones], []]


def test_bulk_untag_removes_the_tag_only_where_present(superuser_client):
    drones, naval = TagFactory(name="Drones"), TagFactory(name="Naval")
    first = PartnershipFactory(tags=[drones, naval])
    second = PartnershipFactory(tags=[naval])
    _action(superuser_client, "remove_tag", [first, second], apply="1", tag=drones.pk)
    assert list(first.tags.all()) == [naval]
    assert list(second.tags.all()) == [naval]


def test_dataset_fields_are_edited_in_the_admin(superuser_client, country):
    system = SystemFactory(name="LAHAT")
    data = {
        "name": "Exercise and sale",
        "slug": "exercise-and-sale",
        "kind": "export",
        "status": "completed",
        "start": "2005-04-13",
        "end": "2005-04",  # known to the month: may end in the month it starts
        "series": "Test Series",
        "location": "Arusha, Tanzania",
        "latitude": "-3.39",
        "longitude": "36.68",
        **inline_management("participants", 0),
        **inline_management("system_lines", 1),
        "system_lines-0-system": system.pk,
        "system_lines-0-quantity_ordered": "100",
        "system_lines-0-condition": "second_hand",
        "system_lines-0-delivery_years": "2016; 2015",
        "system_lines-0-tiv_per_unit": "0.04",
        **inline_management("sources", 0),
        **inline_management("aliases", 0),
        **inline_management("external_ids", 0),
    }
    response = superuser_client.post(
        reverse("admin:partnerships_partnership_add"), data
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    partnership = Partnership.objects.get(slug="exercise-and-sale")
    assert (str(partnership.start), str(partnership.end)) == (
        "13 April 2005",
        "April 2005",
    )
    assert (partnership.series, partnership.latitude) == ("Test Series", -3.39)
    line = partnership.system_lines.get()
    assert line.delivery_years == [2015, 2016]
    assert line.get_condition_display() == "Second hand"
    change = superuser_client.get(
        reverse("admin:partnerships_partnership_change", args=[partnership.pk])
    ).content.decode()
    assert 'value="2015, 2016"' in change


@pytest.mark.parametrize(
    ("fields", "where", "message"),
    [
        (
            {"system_lines-0-delivery_years": "2015, 20x6"},
            "inline",
            "years of four digits",
        ),
        (  # four digits to str.isdigit(), no number to int()
            {"system_lines-0-delivery_years": "2015, ²⁰¹⁶"},
            "inline",
            "years of four digits",
        ),
        ({"latitude": "12.5"}, "longitude", "Give both the latitude and the longitude"),
        ({"latitude": "95", "longitude": "10"}, "latitude", "less than or equal to 90"),
    ],
)
def test_bad_dataset_fields_are_form_errors_and_save_nothing(
    superuser_client, fields, where, message
):
    data = {
        "name": "Bad fields",
        "slug": "bad-fields",
        "kind": "exercise",
        "status": "active",
        **inline_management("participants", 0),
        **inline_management("system_lines", 1),
        "system_lines-0-system": SystemFactory().pk,
        **inline_management("sources", 0),
        **inline_management("aliases", 0),
        **inline_management("external_ids", 0),
        **fields,
    }
    response = superuser_client.post(
        reverse("admin:partnerships_partnership_add"), data
    )

    assert response.status_code == 200
    if where == "inline":
        (formset, *_rest) = [
            f
            for f in response.context["inline_admin_formsets"]
            if f.formset.prefix == "system_lines"
        ]
        errors = " ".join(" ".join(e) for e in formset.formset.errors[0].values())
    else:
        errors = " ".join(response.context["adminform"].form.errors[where])
    assert message in errors
    assert not Partnership.objects.filter(slug="bad-fields").exists()


def test_the_partnership_changelist_shows_fifty_rows_a_page_and_the_rest_after(
    superuser_client,
):
    PartnershipFactory.create_batch(52)
    url = "/admin/partnerships/partnership/"
    first = superuser_client.get(url)
    assert len(first.context["cl"].result_list) == 50
    assert 'href="?p=2"' in first.content.decode()
    rest = superuser_client.get(url, {"p": 2}).context["cl"].result_list
    assert len(rest) == 2


def test_an_alias_that_is_another_records_name_without_its_accents_is_refused(
    superuser_client, commit
):
    """ "Tubitak" is TÜBİTAK's name as the importers' resolver reads names
    (accents and case aside): an alias of another organisation it may not be."""
    with commit():
        OrganisationFactory(name="TÜBİTAK", slug="tubitak")
        organisation = OrganisationFactory(name="Turkish Aerospace", slug="tusas")
    url = reverse("admin:partnerships_organisation_change", args=[organisation.pk])
    data = scraped_form(superuser_client.get(url).content.decode())
    data.update(inline_management("aliases", 1))
    data["aliases-0-name"] = "Tubitak"
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert (
        "“Tubitak” is already what another organisation is called (TÜBİTAK)"
        in response.content.decode()
    )
    assert organisation.aliases.count() == 0


def test_a_record_articles_link_to_is_not_deleted_by_who_may_not_unlink_it(
    researcher, superuser
):
    """Editors decide an article's links: a researcher deleting a record an
    article links to is told which article, and nothing is deleted."""
    linked, unlinked = OrganisationFactory(name="Linked"), OrganisationFactory()
    ArticleEntityLinkFactory(
        entity=linked, article=PublishedArticleFactory(title="Where it is used")
    )

    def delete(user, organisation):
        url = reverse("admin:partnerships_organisation_delete", args=[organisation.pk])
        return logged_in(user).post(url, {"post": "yes"})

    refused = delete(researcher, linked)
    assert refused.status_code == 200
    assert "Article “Where it is used” links to Linked" in refused.text
    assert type(linked).objects.filter(pk=linked.pk).exists()
    assert delete(researcher, unlinked).status_code == 302
    # Whoever may decide links sees what goes with it, as Django lists it.
    assert delete(superuser, linked).status_code == 302
    assert not type(linked).objects.filter(pk=linked.pk).exists()


def test_only_who_may_see_data_issues_filters_records_by_them(editor, researcher):
    url = reverse("admin:partnerships_partnership_changelist")
    assert "data_issues=open" in logged_in(researcher).get(url).text
    assert "data_issues=open" not in logged_in(editor).get(url).text
    assert logged_in(editor).get(url, {"data_issues": "any"}).url.endswith("?e=1")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
