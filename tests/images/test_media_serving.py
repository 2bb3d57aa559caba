"""Uploaded files served by Django itself (development and tests)."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_media_name_too_long_for_the_file_system_is_a_404(client):
    assert client.get("/media/" + "a" * 300).status_code == 404


def test_a_media_name_that_is_not_there_is_a_404(client):
    assert client.get("/media/nothing-here.jpg").status_code == 404
