"""An article's body, byline, topics and linked records are made once and
kept for readers (``articles/rendering``): every change to what they are
made from shows on the next read, and nothing else makes them again."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from articles import linking
from articles.models import Article, ArticleEntityLink, LinkState
from articles.rendering import rendered_body
from core.signals import send_bulk_saved
from partnerships.models import Entity
from tests.factories import (
    AliasFactory,
    ImageFactory,
    OrganisationFactory,
    PublishedArticleFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def page(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def link(article, entity, state=LinkState.ACCEPTED):
    return ArticleEntityLink.objects.create(article=article, entity=entity, state=state)


def kept(article) -> bool:
    return bool(Article.objects.get(pk=article.pk).body_rendered_by)


def linked(html: str, entity) -> bool:
    return f'class="entity-link" href="{entity.get_absolute_url()}"' in html


def test_the_first_read_keeps_the_body_and_later_reads_use_it(
    client, django_assert_num_queries
):
    baykar = OrganisationFactory(name="Baykar")
    article = PublishedArticleFactory(body="Baykar builds drones.")
    link(article, baykar)
    assert not kept(article)
    assert linked(page(client, article), baykar)
    assert kept(article)
    # The article's row, and nothing else: made again, the page would read
    # its records and their aliases, authors and topics too.
    with django_assert_num_queries(1):
        assert linked(page(client, article), baykar)


def test_an_edit_of_the_body_shows_on_the_next_read(client):
    article = PublishedArticleFactory(body="The first text, with four words.")
    assert "The first text" in page(client, article)
    article.body = "A second text."
    article.save()
    html = page(client, article)
    assert "A second text." in html
    assert "The first text" not in html


def test_the_word_count_follows_the_body(client):
    article = PublishedArticleFactory(body="one two three")
    page(client, article)
    assert Article.objects.get(pk=article.pk).word_count == 3
    article.body = "one two three four five"
    article.save()
    page(client, article)
    assert Article.objects.get(pk=article.pk).word_count == 5


def test_accepting_rejecting_and_removing_links_show_on_the_next_read(client, editor):
    baykar = OrganisationFactory(name="Baykar")
    article = PublishedArticleFactory(body="Baykar builds drones.", authors=[editor])
    suggestion = link(article, baykar, state=LinkState.SUGGESTED)
    assert not linked(page(client, article), baykar)

    linking.link_decide(link=suggestion, state=LinkState.ACCEPTED, user=editor)
    assert linked(page(client, article), baykar)

    linking.link_decide(link=suggestion, state=LinkState.REJECTED, user=editor)
    assert not linked(page(client, article), baykar)

    linking.link_add(article=article, entity=baykar, user=editor)
    assert linked(page(client, article), baykar)

    ArticleEntityLink.objects.filter(article=article).delete()
    assert not linked(page(client, article), baykar)


def test_suggestions_accepted_in_bulk_show_on_the_next_read(client, editor):
    baykar = OrganisationFactory(name="Baykar")
    article = PublishedArticleFactory(body="Baykar builds drones.", authors=[editor])
    link(article, baykar, state=LinkState.SUGGESTED)
    assert not linked(page(client, article), baykar)
    linking.article_accept_suggestions(article=article, user=editor)
    assert linked(page(client, article), baykar)


def test_a_linked_records_new_name_and_address_show_on_the_next_read(client):
    record = OrganisationFactory(name="Unnamed", slug="unnamed")
    article = PublishedArticleFactory(body="Rheinmetall builds guns.")
    link(article, record)
    assert 'class="entity-link"' not in page(client, article)

    record.name = "Rheinmetall"
    record.save()
    assert linked(page(client, article), record)

    record.slug = "rheinmetall-ag"
    record.save()
    html = page(client, article)
    assert 'class="entity-link" href="/organisations/rheinmetall-ag/"' in html
    assert "/organisations/unnamed/" not in html


def test_a_linked_records_aliases_show_on_the_next_read(client):
    record = OrganisationFactory(name="Turkish Aerospace")
    article = PublishedArticleFactory(body="TUSAS flies the Hurjet.")
    link(article, record)
    assert not linked(page(client, article), record)

    alias = AliasFactory(entity=record, name="TUSAS")
    assert linked(page(client, article), record)

    alias.delete()
    assert not linked(page(client, article), record)


def test_records_renamed_in_bulk_show_on_the_next_read(client):
    record = OrganisationFactory(name="Unnamed")
    article = PublishedArticleFactory(body="Hanwha builds howitzers.")
    link(article, record)
    assert not linked(page(client, article), record)
    # As an import writes them: in bulk, then announced.
    Entity.objects.filter(pk=record.pk).update(name="Hanwha")
    send_bulk_saved(Entity, [record.pk])
    assert linked(page(client, article), record)


def test_a_change_to_a_picture_the_body_shows_shows_on_the_next_read(client):
    picture = ImageFactory(alt_text="A first description")
    article = PublishedArticleFactory(body=f"![](image:{picture.pk})")
    assert 'alt="A first description"' in page(client, article)
    picture.alt_text = "A better description"
    picture.save()
    assert 'alt="A better description"' in page(client, article)


def test_a_picture_added_after_the_body_named_its_number_is_shown(client):
    article = PublishedArticleFactory(body="Before.")
    number = ImageFactory().pk + 1
    article.body = f"![The coming picture](image:{number})"
    article.save()
    assert "<picture" not in page(client, article)
    assert ImageFactory().pk == number
    assert "<picture" in page(client, article)


def test_a_body_kept_under_other_settings_is_made_again(client):
    picture = ImageFactory()
    article = PublishedArticleFactory(body=f"![](image:{picture.pk})")
    assert "/media/" in page(client, article)
    with override_settings(MEDIA_URL="https://pictures.example.org/"):
        assert "https://pictures.example.org/" in page(client, article)


def test_a_write_while_a_body_is_made_is_not_covered_by_it():
    baykar = OrganisationFactory(name="Baykar")
    article = PublishedArticleFactory(body="Baykar builds drones.")
    reader = Article.objects.get(pk=article.pk)  # read before the write
    link(article, baykar)
    # Made from what the reader reads now, but not kept: the write came
    # after the reader's look at the article.
    assert linked(rendered_body(reader), baykar)
    assert not kept(article)


def test_other_articles_are_not_made_again(client):
    baykar = OrganisationFactory(name="Baykar")
    linked_article = PublishedArticleFactory(body="Baykar builds drones.")
    other = PublishedArticleFactory(body="Nothing to link.")
    link(linked_article, baykar)
    page(client, linked_article), page(client, other)
    baykar.name = "Baykar Technologies"
    baykar.save()
    assert not kept(linked_article)
    assert kept(other)


def test_a_new_record_leaves_every_kept_body_alone(client):
    """Nothing links to a record yet when it is created: no article is
    looked up, none made again."""
    article = PublishedArticleFactory(body="Baykar builds drones.")
    page(client, article)
    with CaptureQueriesContext(connection) as queries:
        OrganisationFactory(name="Baykar")
    assert not [q for q in queries if Article._meta.db_table in q["sql"]]
    assert kept(article)


def test_a_change_of_authors_or_of_their_names_shows_on_the_next_read(client):
    ada = UserFactory(first_name="Ada", last_name="Lovelace")
    article = PublishedArticleFactory(authors=[ada])
    assert "Ada Lovelace" in page(client, article)

    grace = UserFactory(first_name="Grace", last_name="Hopper")
    article.authors.add(grace)
    assert "Grace Hopper" in page(client, article)

    grace.articles.remove(article)  # from the author's side
    assert "Grace Hopper" not in page(client, article)

    ada.last_name = "King"
    ada.save()
    html = page(client, article)
    assert "Ada King" in html
    assert "Ada Lovelace" not in html

    ada.delete()
    assert "Ada King" not in page(client, article)


def test_a_change_of_topics_or_of_their_names_shows_on_the_next_read(client):
    drones = TagFactory(name="Drones", slug="drones")
    article = PublishedArticleFactory()
    assert "/tags/drones/" not in page(client, article)

    article.tags.add(drones)
    assert 'href="/tags/drones/">Drones</a>' in page(client, article)

    drones.name, drones.slug = "Uncrewed aircraft", "uncrewed-aircraft"
    drones.save()
    html = page(client, article)
    assert 'href="/tags/uncrewed-aircraft/">Uncrewed aircraft</a>' in html
    assert "/tags/drones/" not in html

    drones.articles.clear()  # from the topic's side
    assert "Uncrewed aircraft" not in page(client, article)

    article.tags.add(drones)
    assert "Uncrewed aircraft" in page(client, article)
    drones.delete()
    assert "Uncrewed aircraft" not in page(client, article)


def test_a_login_does_not_make_the_parts_again(client):
    writer = UserFactory()
    article = PublishedArticleFactory(authors=[writer])
    page(client, article)
    writer.save(update_fields=["last_login"])
    assert kept(article)


def test_aliases_the_reference_data_adds_show_on_the_next_read(client, country):
    from django.core.management import call_command

    turkiye = country("TR")
    article = PublishedArticleFactory(body="Turkey builds drones.")
    link(article, turkiye)
    turkiye.aliases.filter(name="Turkey").delete()
    assert not linked(page(client, article), turkiye)
    call_command("load_reference_data", verbosity=0)  # adds it back, in bulk
    assert linked(page(client, article), turkiye)


def test_the_words_are_counted_on_save_and_an_article_written_in_bulk_when_read():
    article = PublishedArticleFactory(body="one two three")
    # Counted by the save, before any reader made the body.
    assert Article.objects.get(pk=article.pk).body_words == 3
    article.body = "one two three four five"
    article.save(update_fields=["body"])
    assert Article.objects.get(pk=article.pk).word_count == 5
    (bulk,) = Article.objects.bulk_create(
        [Article(title="Bulk", slug="bulk", body="six words in a bulk row")]
    )
    assert Article.objects.get(pk=bulk.pk).body_words == 0  # not counted
    assert Article.objects.get(pk=bulk.pk).word_count == 6
