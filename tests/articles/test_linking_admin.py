"""Editors decide links on the article's admin page; entities show where
they are used."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.linking import article_scan_mentions
from articles.models import ArticleEntityLink, LinkSource, LinkState
from tests.admin_forms import article_form, inline_management
from tests.factories import ArticleFactory, OrganisationFactory, PublishedArticleFactory

pytestmark = pytest.mark.django_db

SUGGESTED, LINKED, REJECTED = "entity_links", "entity_links-2", "entity_links-3"


@pytest.fixture
def article(country):
    article = ArticleFactory(title="Allies", body="Pakistan, Türkiye and Qatar signed.")
    article_scan_mentions(article=article)
    return article


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def state_of(article, name):
    return ArticleEntityLink.objects.get(article=article, entity__name=name).state


def post_decisions(client, article, decisions, **extra):
    """Post the change form with a decision for some suggested links."""
    suggested = list(
        article.entity_links.suggested()
        .select_related("entity")
        .order_by("-mention_count", "entity__name")
    )
    data = article_form(
        article, title=article.title, slug=article.slug, body=article.body, **extra
    )
    data.update(inline_management(SUGGESTED, len(suggested), len(suggested)))
    for index, link in enumerate(suggested):
        data[f"{SUGGESTED}-{index}-id"] = link.pk
        data[f"{SUGGESTED}-{index}-article"] = article.pk
        data[f"{SUGGESTED}-{index}-state"] = decisions.get(link.entity.name, link.state)
        data[f"{SUGGESTED}-{index}-role"] = link.role
    return client.post(change_url(article), data)


def test_the_article_page_shows_suggestions_with_their_snippets(editor_client, article):
    page = editor_client.get(change_url(article)).content.decode()
    assert "Suggested links" in page
    for name in ("Pakistan", "Türkiye", "Qatar"):
        assert name in page
    assert "Pakistan, Türkiye and Qatar signed." in page
    assert "Save and accept all suggestions" in page


def test_an_editor_accepts_and_rejects_suggestions(editor_client, editor, article):
    response = post_decisions(
        editor_client,
        article,
        {"Pakistan": LinkState.ACCEPTED, "Qatar": LinkState.REJECTED},
    )
    assert response.status_code == 302
    assert state_of(article, "Pakistan") == LinkState.ACCEPTED
    assert state_of(article, "Qatar") == LinkState.REJECTED
    assert state_of(article, "Türkiye") == LinkState.SUGGESTED
    decided = ArticleEntityLink.objects.get(article=article, entity__name="Pakistan")
    assert decided.decided_by == editor
    assert decided.decided_at is not None


@pytest.mark.parametrize("panel", [SUGGESTED, REJECTED])
def test_a_decision_on_no_link_is_a_form_error_and_changes_nothing(
    editor_client, article, panel
):
    # The panel's rows sent with none of them counted as the panel's own
    # (its management form forged): decisions on no link.
    suggested = list(article.entity_links.suggested())
    data = article_form(
        article, title=article.title, slug=article.slug, body=article.body
    )
    data.update(inline_management(panel, len(suggested), 0))
    for index, link in enumerate(suggested):
        data[f"{panel}-{index}-id"] = link.pk
        data[f"{panel}-{index}-article"] = article.pk
        data[f"{panel}-{index}-state"] = LinkState.ACCEPTED
        data[f"{panel}-{index}-role"] = link.role
    links = ArticleEntityLink.objects.values_list("pk", "entity_id", "state", "role")
    before = sorted(links)

    response = editor_client.post(change_url(article), data)

    assert response.status_code == 200
    assert "There is no such link to decide on" in response.content.decode()
    assert sorted(links) == before


def test_accept_all_accepts_every_suggestion(editor_client, article):
    response = post_decisions(editor_client, article, {}, _accept_all_suggestions="1")
    assert response.status_code == 302
    assert response["Location"] == change_url(article)
    assert not article.entity_links.suggested().exists()
    assert article.entity_links.accepted().count() == 3


def test_saving_new_text_suggests_what_it_now_mentions(editor_client, article):
    response = editor_client.post(
        change_url(article),
        article_form(
            article, title="Allies", slug=article.slug, body="Oman joined Pakistan."
        ),
    )
    assert response.status_code == 302
    assert set(
        article.entity_links.suggested().values_list("entity__name", flat=True)
    ) == {"Oman", "Pakistan"}


def test_an_editor_links_an_entity_by_hand(editor_client, article):
    baykar = OrganisationFactory(name="Baykar")
    data = article_form(
        article, title=article.title, slug=article.slug, body=article.body
    )
    data.update(inline_management(LINKED, 1, 0))
    data.update({f"{LINKED}-0-entity": baykar.pk, f"{LINKED}-0-role": "about"})
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302
    link = ArticleEntityLink.objects.get(article=article, entity=baykar)
    assert (link.source, link.state, link.role) == (
        LinkSource.MANUAL,
        LinkState.ACCEPTED,
        "about",
    )


def test_linking_by_hand_an_entity_already_suggested_says_where_it_is(
    editor_client, article, country
):
    data = article_form(
        article, title=article.title, slug=article.slug, body=article.body
    )
    data.update(inline_management(LINKED, 1, 0))
    data.update(
        {f"{LINKED}-0-entity": country("QA").pk, f"{LINKED}-0-role": "mentions"}
    )
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "already suggested: accept it above" in response.content.decode()


def test_unlinking_a_detected_entity_rejects_it_for_good(
    editor_client, editor, article
):
    post_decisions(editor_client, article, {"Pakistan": LinkState.ACCEPTED})
    link = ArticleEntityLink.objects.get(article=article, entity__name="Pakistan")
    data = article_form(
        article, title=article.title, slug=article.slug, body=article.body
    )
    data.update(inline_management(LINKED, 1, 1))
    data.update(
        {
            f"{LINKED}-0-id": link.pk,
            f"{LINKED}-0-article": article.pk,
            f"{LINKED}-0-entity": link.entity_id,
            f"{LINKED}-0-role": link.role,
            f"{LINKED}-0-DELETE": "on",
        }
    )
    editor_client.post(change_url(article), data)
    assert state_of(article, "Pakistan") == LinkState.REJECTED
    article_scan_mentions(article=article)
    assert state_of(article, "Pakistan") == LinkState.REJECTED


def test_the_admins_decisions_go_through_the_linking_service(
    editor_client, editor, article, monkeypatch
):
    from articles import linking

    calls = []
    decide = linking.link_decide
    monkeypatch.setattr(
        linking,
        "link_decide",
        lambda **kwargs: calls.append(kwargs["state"]) or decide(**kwargs),
    )
    post_decisions(editor_client, article, {"Qatar": LinkState.REJECTED})
    assert calls == [LinkState.REJECTED]
    assert state_of(article, "Qatar") == LinkState.REJECTED


def test_changing_only_a_suggestions_role_leaves_it_undecided(editor_client, article):
    suggested = article.entity_links.suggested().order_by(
        "-mention_count", "entity__name"
    )
    first = suggested.first()
    data = article_form(
        article, title=article.title, slug=article.slug, body=article.body
    )
    data.update(inline_management(SUGGESTED, 1, 1))
    data.update(
        {
            f"{SUGGESTED}-0-id": first.pk,
            f"{SUGGESTED}-0-article": article.pk,
            f"{SUGGESTED}-0-state": LinkState.SUGGESTED,
            f"{SUGGESTED}-0-role": "about",
        }
    )
    assert editor_client.post(change_url(article), data).status_code == 302
    first.refresh_from_db()
    assert (first.state, first.role, first.decided_by) == (
        LinkState.SUGGESTED,
        "about",
        None,
    )


def test_unlinking_records_who_rejected_and_a_links_entity_stays_put(
    editor_client, editor, article, country
):
    post_decisions(editor_client, article, {"Pakistan": LinkState.ACCEPTED})
    link = ArticleEntityLink.objects.get(article=article, entity__name="Pakistan")
    data = article_form(
        article, title=article.title, slug=article.slug, body=article.body
    )
    data.update(inline_management(LINKED, 1, 1))
    data.update(
        {
            f"{LINKED}-0-id": link.pk,
            f"{LINKED}-0-article": article.pk,
            f"{LINKED}-0-entity": country("PL").pk,  # ignored: not editable
            f"{LINKED}-0-role": "about",
        }
    )
    editor_client.post(change_url(article), data)
    link.refresh_from_db()
    assert (link.entity.name, link.role) == ("Pakistan", "about")
    data[f"{LINKED}-0-DELETE"] = "on"
    data["base_version"] = article_form(article)["base_version"]  # the page again
    editor_client.post(change_url(article), data)
    link.refresh_from_db()
    assert (link.state, link.decided_by) == (LinkState.REJECTED, editor)


def test_entity_lookups_say_what_kind_each_entity_is(editor_client, country):
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "articles",
            "model_name": "articleentitylink",
            "field_name": "entity",
            "term": "Türki",
        },
    )
    assert response.status_code == 200
    assert {
        "id": str(country("TR").pk),
        "text": "Türkiye · country",
    } in response.json()["results"]


def test_a_researcher_sees_links_but_cannot_decide_them(researcher_client, article):
    page = researcher_client.get(change_url(article))
    assert page.status_code == 200
    response = post_decisions(researcher_client, article, {"Qatar": "accepted"})
    assert response.status_code == 403
    assert state_of(article, "Qatar") == LinkState.SUGGESTED


def test_changelist_actions_rescan_and_accept_all(editor_client, article):
    url = reverse("admin:articles_article_changelist")
    ArticleEntityLink.objects.filter(article=article).delete()
    editor_client.post(
        url, {"action": "find_mentions_again", "_selected_action": [article.pk]}
    )
    assert article.entity_links.suggested().count() == 3
    editor_client.post(
        url, {"action": "accept_all_suggestions", "_selected_action": [article.pk]}
    )
    assert article.entity_links.accepted().count() == 3


def test_every_entity_admin_page_says_where_it_is_used(superuser_client, country):
    published = PublishedArticleFactory(title="Published essay", body="Pakistan.")
    draft = ArticleFactory(title="Draft essay", body="Pakistan again.")
    for article in (published, draft):
        article_scan_mentions(article=article)
    published.entity_links.update(state=LinkState.ACCEPTED)
    page = superuser_client.get(
        reverse("admin:partnerships_country_change", args=[country("PK").pk])
    ).content.decode()
    assert "Used in 1 article." in page
    assert "Published essay" in page
    assert "Suggested for 1 more" in page
    assert "Draft essay" in page
    changelist = superuser_client.get(
        reverse("admin:partnerships_country_changelist"), {"q": "Pakistan"}
    )
    assert changelist.context["cl"].result_list[0].article_total == 1


def test_accept_all_is_offered_only_to_who_may_decide_the_links(
    contributor, researcher, country
):
    """A contributor's article once in review, or any article seen by a
    researcher, shows no "Save and accept all suggestions" button (it
    answered 403); the list action says what it refused."""
    article = ArticleFactory(
        title="In review",
        body="Pakistan and Qatar signed.",
        authors=[contributor],
        status="review",
    )
    article_scan_mentions(article=article)
    clients = {user: Client() for user in (contributor, researcher)}
    for user, client in clients.items():
        client.force_login(user)
        page = client.get(change_url(article)).content.decode()
        assert "Suggested links" in page
        assert "Save and accept all suggestions" not in page
    response = clients[contributor].post(
        reverse("admin:articles_article_changelist"),
        {"action": "accept_all_suggestions", "_selected_action": [article.pk]},
        follow=True,
    )
    said = [str(m) for m in response.context["messages"]]
    assert said == [
        "You may not decide the links of “In review”: nothing was accepted there."
    ]
    assert article.entity_links.accepted().count() == 0


def test_a_contributor_links_a_record_while_writing_a_new_article(
    contributor_client, contributor
):
    """The new article is theirs before its links are saved: nothing of
    what they wrote is refused."""
    baykar = OrganisationFactory(name="Baykar")
    data = article_form(title="New piece", slug="new-piece", body="Text.")
    data.update(inline_management(LINKED, 1, 0))
    data.update({f"{LINKED}-0-entity": baykar.pk, f"{LINKED}-0-role": "about"})

    response = contributor_client.post(reverse("admin:articles_article_add"), data)

    assert response.status_code == 302
    article = contributor.articles.get(slug="new-piece")
    assert article.entity_links.accepted().get().entity_id == baykar.pk


def test_a_contributor_rescans_only_their_drafts(
    contributor_client, contributor, country
):
    url = reverse("admin:articles_article_changelist")
    draft = ArticleFactory(body="Pakistan.", authors=[contributor])
    in_review = ArticleFactory(body="Qatar.", authors=[contributor], status="review")

    page = contributor_client.post(
        url,
        {"action": "find_mentions_again", "_selected_action": [draft.pk, in_review.pk]},
        follow=True,
    )

    assert draft.entity_links.suggested().exists()
    assert not in_review.entity_links.exists()
    assert f"You may not change “{in_review.title}”" in page.text
