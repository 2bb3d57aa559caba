"""The data's version follows the models readers see, each listened to by
name: a change to any of them is a new version, and rows readers never
see (sessions, the admin's log) are neither watched nor slowed down."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from articles.models import Article
from freshness import versions
from freshness.signals import public_models
from partnerships.models import Country, Partnership
from tests.factories import ArticleFactory, CountryFactory, TagFactory

pytestmark = pytest.mark.django_db


def committed_version_after(capture, change):
    with capture(execute=True):
        change()
    return versions.committed_version()


def test_each_public_model_and_its_tables_are_listened_to_by_name():
    watched = {model._meta.label for model in public_models()}
    assert {"articles.Article", "partnerships.Partnership", "images.Image"} <= watched
    assert {"articles.Article_tags", "partnerships.HistoricalPartnership"} <= watched
    assert (
        not {
            "datasets.ImportRun",
            "partnerships.MentionIndex",
            "articles.ArticleWorkingCopy",
        }
        & watched
    )
    for model in (Article, Article.tags.through, Partnership, Country):
        assert post_save.has_listeners(model)
        assert post_delete.has_listeners(model)
    assert m2m_changed.has_listeners(Article.tags.through)


def test_models_readers_never_see_have_no_listener():
    assert not post_save.has_listeners(Session)
    assert not post_delete.has_listeners(Session)
    assert not post_delete.has_listeners(LogEntry)


def test_clearing_expired_sessions_is_one_statement(django_assert_num_queries):
    expired = timezone.now() - datetime.timedelta(days=1)
    Session.objects.bulk_create(
        Session(session_key=f"key{n:036d}", session_data="", expire_date=expired)
        for n in range(50)
    )
    with django_assert_num_queries(1):
        deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    assert deleted == 50


def test_a_session_is_not_a_new_version_of_the_data(
    django_capture_on_commit_callbacks,
):
    before = committed_version_after(django_capture_on_commit_callbacks, CountryFactory)
    after = committed_version_after(
        django_capture_on_commit_callbacks,
        lambda: Session.objects.create(
            session_key="k" * 40, session_data="", expire_date=timezone.now()
        ),
    )
    assert after == before


def test_a_save_a_delete_and_a_tag_change_are_each_a_new_version(
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        article = ArticleFactory()
        tag = TagFactory()
    seen = [versions.committed_version()]
    seen.append(committed_version_after(capture, lambda: article.tags.add(tag)))
    seen.append(committed_version_after(capture, lambda: article.save()))
    seen.append(committed_version_after(capture, lambda: tag.delete()))
    assert len(set(seen)) == 4, seen
