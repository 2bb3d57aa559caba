"""The database's plans of the queries a test runs: the search tests show
with them that the full-text index, not a scan, serves a lookup."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def plans_of(run) -> list[str]:
    """The database's plan of each query ``run`` makes, as it looks a word
    up (see :func:`queries_and_plans`)."""
    return [plan for _sql, plan in queries_and_plans(run, looking_up=True)]


def queries_and_plans(
    run, *, sorts_priced_out=False, looking_up=False
) -> list[tuple[str, str]]:
    """Each query ``run`` makes, and the database's plan of it.

    On PostgreSQL, with sequential scans priced out: on a test's few
    thousand rows reading the whole table is cheapest, and what the test
    shows is that the index serves these queries as they are written (the
    stored column, the same configuration, no condition on another table);
    ``make bench-pages`` shows the times at 100,000 articles.

    With ``sorts_priced_out``, a full sort of the rows is priced out too:
    on a few rows sorting them all costs as little as reading them in an
    index's order, and the planner's choice between the two then depends on
    its version and its statistics, not on whether the index can give the
    order.

    With ``looking_up``, planned without the entries' newest-first index
    (``search_entry_newest_first``, dropped in the test's transaction): it
    gives a common word's candidates their order, and at 100,000 articles
    the planner keeps it for that; on a few thousand rows with scans priced
    out it reaches for it to read every entry for any word, which is not
    what these plans are about."""
    with CaptureQueriesContext(connection) as captured:
        run()
    plans = []
    explain = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            if sorts_priced_out:
                cursor.execute("SET LOCAL enable_sort = off")
            if looking_up:
                assert connection.in_atomic_block, "rolled back with the test only"
                cursor.execute("DROP INDEX search_entry_newest_first")
        for query in captured.captured_queries:
            cursor.execute(f"{explain} {query['sql']}")
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            plans.append((query["sql"], plan))
    return plans


def assert_through_the_full_text_index(plan: str) -> None:
    """``plan`` reads the search entries through their full-text index (the
    GIN index on the stored tsvector on PostgreSQL, the FTS5 table on
    SQLite), never by scanning the entries."""
    if connection.vendor == "postgresql":
        assert "search_searchentry_vector_gin" in plan, plan
        assert "Seq Scan on search_searchentry" not in plan, plan
    else:
        assert "search_searchentry_fts VIRTUAL TABLE INDEX" in plan, plan
        assert "SCAN search_searchentry " not in f"{plan} ", plan
