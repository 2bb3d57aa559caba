"""The data's version: one new version per committed change, none for a
rolled-back one, and imports (which write in bulk, without signals) bump it
and write a new snapshot."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from api import snapshots
from freshness import versions
from freshness.models import DataVersion
from partnerships.models import Partnership
from tests.datafiles import SipriDealFactory, sipri_file
from tests.factories import PartnershipFactory, TagFactory

pytestmark = pytest.mark.django_db


def version():
    return DataVersion.objects.get(pk=1).version


def test_a_committed_change_gives_one_new_version(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    before = version()
    with django_capture_on_commit_callbacks() as callbacks:
        deal = PartnershipFactory()
        deal.tags.add(TagFactory())
        deal.name = "Renamed"
        deal.save()
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    writes = [q for q in queries if "freshness_dataversion" in q["sql"]]
    assert len(writes) == 1  # one UPDATE, however many changes
    assert version() != before
    with django_assert_num_queries(1):
        versions.current()


def test_a_rolled_back_change_leaves_the_version_alone(
    django_capture_on_commit_callbacks,
):
    def change_then_fail():
        with transaction.atomic():
            PartnershipFactory()
            raise RuntimeError

    before = version()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
    ):
        change_then_fail()
    assert version() == before


def test_an_import_bumps_the_version_and_writes_the_downloads(
    tmp_path, django_capture_on_commit_callbacks
):
    before = version()
    path = sipri_file(tmp_path, SipriDealFactory.create_batch(3))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_sipri", str(path), stdout=out)
    assert version() != before
    manifest = snapshots.latest_manifest()
    assert manifest.tables["partnerships"] == Partnership.objects.count() >= 3
    assert f"Snapshot {manifest.stamp}" in out.getvalue()
