"""export_site on its own: where it writes, and how many queries it takes
(tests/test_site_export.py shares one site between its tests)."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.datafiles import SipriDealFactory, sipri_file

pytestmark = pytest.mark.django_db


def run(command, *args) -> str:
    out = StringIO()
    call_command(command, *map(str, args), stdout=out)
    return out.getvalue()


def test_export_site_needs_a_place_to_write(tmp_path):
    with pytest.raises(CommandError, match="is a folder"):
        run("export_site", tmp_path)
    with pytest.raises(CommandError, match="There is no folder"):
        run("export_site", Path(tmp_path) / "missing" / "site.json")


def test_the_export_reads_each_table_in_a_few_queries(
    tmp_path, django_assert_max_num_queries
):
    """Not a query per row: the queries are the same for 5 deals as for 50."""
    run(
        "import_sipri",
        sipri_file(tmp_path, SipriDealFactory.create_batch(5), name="a.csv"),
    )
    with CaptureQueriesContext(connection) as small:
        run("export_site", tmp_path / "small.json")
    run(
        "import_sipri",
        sipri_file(tmp_path, SipriDealFactory.create_batch(45), name="b.csv"),
    )
    with CaptureQueriesContext(connection) as large:
        run("export_site", tmp_path / "large.json")
    assert len(large) == len(small)
