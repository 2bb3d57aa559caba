"""Pages of one kind share one skeleton: every record page is built on
``entity_detail.html``, every filtered list on ``list_page.html``; and each
kind of record is named from one table, ``EntityType``."""

import pytest
from django.utils.html import strip_tags

from partnerships.models import EntityType
from tests.factories import (
    BlocFactory,
    OrganisationFactory,
    PartnershipFactory,
    PublishedArticleFactory,
    SystemFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def templates_of(response) -> list[str]:
    return [template.name for template in response.templates]


def test_every_record_page_is_built_on_the_entity_skeleton(client, country):
    tag = TagFactory(name="Drones", description="Uncrewed aircraft.")
    records = [
        country("PL"),
        BlocFactory(name="Test Pact"),
        OrganisationFactory(name="Baykar"),
        SystemFactory(name="Bayraktar TB2"),
        PartnershipFactory(name="A deal", tags=[tag]),
        tag,
    ]
    for record in records:
        response = client.get(record.get_absolute_url())
        assert response.status_code == 200
        assert "entity_detail.html" in templates_of(response), record
        page = response.content.decode()
        assert f"<h1>{record.name}</h1>" in page
        # The feed of articles on it, in the head and in the panel.
        feed = f"{record.get_absolute_url()}feed/"
        assert page.count(f'href="{feed}"') == 2, record


def test_a_record_page_describes_the_record_by_its_summary_or_what_it_is(client):
    system = SystemFactory(name="Kestrel", summary="", category="uav")
    page = client.get(system.get_absolute_url()).content.decode()
    assert '<meta name="description" content="Uncrewed aerial vehicle">' in page
    system.summary = "A small drone."
    system.save()
    page = client.get(system.get_absolute_url()).content.decode()
    assert '<meta name="description" content="A small drone.">' in page


@pytest.mark.parametrize(
    ("path", "heading", "count"),
    [
        ("/articles/", "<h1>Articles</h1>", "1 article</h2>"),
        ("/partnerships/", "<h1>Partnerships</h1>", "1 partnership</h2>"),
    ],
)
def test_every_filtered_list_is_built_on_the_list_skeleton(
    client, path, heading, count
):
    PublishedArticleFactory()
    PartnershipFactory()
    response = client.get(path)
    page = response.content.decode()
    assert "list_page.html" in templates_of(response)
    assert heading in page
    assert count in page
    assert 'aria-label="Pages of' not in page  # one page: no pagination


def test_each_kind_of_record_is_named_in_one_place():
    assert [(kind.label, kind.plural) for kind in EntityType] == [
        ("Country", "Countries"),
        ("Bloc", "Blocs"),
        ("Organisation", "Organisations"),
        ("System", "Systems"),
        ("Partnership", "Partnerships"),
    ]


def test_search_names_each_result_by_its_kind(client, commit):
    with commit():
        PublishedArticleFactory(title="Kestrel essay", standfirst="", body="x")
        SystemFactory(name="Kestrel")
    response = client.get("/search/", {"q": "kestrel"})
    labels = {
        strip_tags(result["hit"].title): result["label"]
        for result in response.context["results"]
    }
    # The system the query names heads the page as a card.
    cards = {card.entity.name: label for card, label in response.context["cards"]}
    assert (cards, labels) == ({"Kestrel": "System"}, {"Kestrel essay": "Article"})
    kinds = dict(response.context["form"].fields["type"].choices)
    assert kinds["country"] == "Country"
