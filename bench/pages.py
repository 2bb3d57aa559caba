"""Benchmark: every page type at full size.

Builds, in bulk, a database the size the site is meant for: a synthetic
SIPRI register of 30,000 deals and an MME file of 4,000 exercises, imported
by the real importers (``import_sipri``, ``import_exercises``), then 1,000
published articles with about 20 confirmed links each; measures every page
type; grows the articles to 100,000 (bulk, indexed for search by the real
indexer) and measures again. For each page: the queries it takes (the
first request's, and "11>2" where later ones, which find the counts kept
for the data's version, take fewer), its size, and the server time through Django's test client (p50 and p95 of
``--repeat`` requests after one warm-up request, whose time is shown as
"first"), its p50 as a ratio to the article page's in the same stage, and
the ratio of its p50 at 100,000 articles to that at 1,000. Then a write (a
new version of the data, as any committed change gives) and the next
request's time, "after write", also as a ratio to the article page's p50:
the counts kept for the old version are of no use to it (it is answered
the last ones while the app process counts them again in the background,
whose time is shown as "refresh").

The downloads are also measured in rows per second, and their peak memory
in a process of their own.

    make bench-pages     # PostgreSQL: scripts/with-postgres python bench/pages.py
    scripts/with-postgres python bench/pages.py \\
        --only network --only timeline   # some pages (and the article page)
    python bench/pages.py --sqlite   # the embedded database instead
    scripts/with-postgres sh -c 'python bench/pages.py --keep \
        && python bench/pages.py --keep --only articles --articles 100000'

The database is new each time (a PostgreSQL database on the server that
DATABASE_URL names, or a SQLite file in a temporary folder), unless
``--keep`` (or BENCH_KEEP=1) is given: then the run uses the database
``coopsite_bench_pages_kept`` on that server (or ``bench.sqlite3`` in the
system's temporary folder) as it finds it, generating only what it lacks, and
leaves it for the next run: the same pages measured before and after a
change, at 100,000 articles, without generating them twice. ``--only`` with
``--articles`` measures those pages at both sizes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.imports import fresh_postgres_url, write_register

EXERCISES = 4_000
DEALS = 30_000
LINKS_PER_ARTICLE = 20
MME_EXCERPT = ROOT.parent / "shared" / "data" / "mme-exercises-excerpt.csv"

COMMON, RARE = "defence", "zeppelin"
WORDS = (
    "the of and to in a is that for on with as was by at from industry export "
    "partnership cooperation agreement missile radar drone frigate tank "
    "programme ministry contract delivery order supplier recipient alliance "
    "training exercise naval army air force procurement budget technology "
    "transfer production licence joint venture research development"
).split()


# --- The data --------------------------------------------------------------------------------


def write_exercises(path: Path, count: int, seed: int = 2026) -> None:
    """An MME file of ``count`` exercises: the excerpt's rows, again and
    again, each with an id of its own and a year of its own."""
    rng = random.Random(seed)
    with open(MME_EXCERPT, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    for n in range(count):
        row = dict(rows[n % len(rows)])
        row["MMEID"] = f"bench{n}"
        row["Ex_Name"] = f"{row['Ex_Name'] or 'Exercise'} {n}"
        shift = rng.randint(-15, 0)
        for column in ("s.year", "e.year"):
            if row[column].lstrip("-").isdigit() and int(row[column]) > 0:
                row[column] = str(int(row[column]) + shift)
        row["StartDate"] = row["EndDate"] = ""
        writer.writerow(row)
    path.write_text(out.getvalue(), encoding="utf-8")


def import_datasets(folder: Path, deals: int, exercises_count: int) -> None:
    from django.core.management import call_command

    register, exercises = folder / "register.csv", folder / "exercises.csv"
    write_register(register, deals)
    write_exercises(exercises, exercises_count)
    for command, path in (("import_sipri", register), ("import_exercises", exercises)):
        started = time.perf_counter()
        call_command(command, str(path), stdout=io.StringIO())
        print(f"  {command}: {time.perf_counter() - started:.0f} s", flush=True)


def _body(rng: random.Random, n: int, names: list[str]) -> str:
    paragraphs = []
    for _ in range(4):
        words = [rng.choice(WORDS) for _ in range(70)]
        if rng.random() < 0.9:
            words[rng.randrange(70)] = COMMON
        words[rng.randrange(70)] = rng.choice(names)
        paragraphs.append(" ".join(words).capitalize() + ".")
    if n < 1_000 and n % 200 == 7:  # the same five articles, whatever the size
        paragraphs.append(f"A {RARE} appears here.")
    return "\n\n".join(paragraphs)


def add_articles(upto: int, seed: int = 7) -> None:
    """Published articles numbered up to ``upto``, each with about 20
    accepted links to records, written in bulk and indexed for search."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from articles.models import (
        Article,
        ArticleEntityLink,
        ArticleStatus,
        LinkState,
        count_words,
    )
    from partnerships.models import Entity, Tag
    from search.indexing import index_articles

    started = time.perf_counter()
    have = Article.objects.count()
    if have >= upto:
        return
    rng = random.Random(seed + have)
    user_model = get_user_model()
    authors = [
        user_model.objects.get_or_create(
            username=f"writer{n}",
            defaults={"first_name": "Writer", "last_name": f"{n}"},
        )[0]
        for n in range(20)
    ]
    tags = [Tag.objects.get_or_create(name=f"Topic {n}")[0] for n in range(30)]
    entities = list(
        Entity.objects.exclude(entity_type="partnership")
        .order_by("pk")
        .values_list("pk", "name")
    )
    deals = list(
        Entity.objects.filter(entity_type="partnership")
        .order_by("?")
        .values_list("pk", flat=True)[:5000]
    )
    names = [name for _, name in entities[:400]]
    now = timezone.now()
    batch = 5000
    for first in range(have, upto, batch):
        numbers = range(first, min(upto, first + batch))
        written = [
            Article(
                title=f"Essay {n}: {rng.choice(names)} and {rng.choice(WORDS)}",
                slug=f"essay-{n}",
                standfirst=f"What {rng.choice(names)} means for {rng.choice(WORDS)}.",
                body=_body(rng, n, names),
                status=ArticleStatus.PUBLISHED,
                published_at=now - dt.timedelta(minutes=n),
            )
            for n in numbers
        ]
        for article in written:
            article.body_words = count_words(article.body)  # as a save counts them
        articles = Article.objects.bulk_create(written)
        Article.authors.through.objects.bulk_create(
            [
                Article.authors.through(article_id=a.pk, user_id=rng.choice(authors).pk)
                for a in articles
            ]
        )
        Article.tags.through.objects.bulk_create(
            [
                Article.tags.through(article_id=a.pk, tag_id=rng.choice(tags).pk)
                for a in articles
            ]
        )
        links = []
        for article in articles:
            chosen = {rng.choice(entities)[0] for _ in range(LINKS_PER_ARTICLE - 2)}
            chosen.update(rng.sample(deals, 2))
            links.extend(
                ArticleEntityLink(
                    article_id=article.pk,
                    entity_id=entity_id,
                    state=LinkState.ACCEPTED,
                    mention_count=1,
                    created_at=now,
                    updated_at=now,
                )
                for entity_id in chosen
            )
        ArticleEntityLink.objects.bulk_create(links, batch_size=5000)
        index_articles([a.pk for a in articles])
        print(f"  articles: {numbers.stop:,}", flush=True)
    _analyse()
    print(f"  {upto - have:,} articles in {time.perf_counter() - started:.0f} s")


def _analyse() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- Measuring -------------------------------------------------------------------------------


def pages() -> dict[str, str]:
    from articles.models import Article
    from partnerships.models import Country, Partnership

    article = Article.objects.published().order_by("-published_at").first()
    deal = Partnership.objects.filter(kind="export").order_by("pk").first()
    tag = Partnership.tags.through.objects.values_list("tag__slug", flat=True).first()
    return {
        "article page": article.get_absolute_url(),
        "home": "/",
        "/articles/": "/articles/",
        f"/articles/?q={COMMON}": f"/articles/?q={COMMON}",
        f"/articles/?q={RARE}": f"/articles/?q={RARE}",
        f"/articles/?q={COMMON}&tag=…": f"/articles/?q={COMMON}&tag=topic-3",
        "/partnerships/": "/partnerships/",
        "/partnerships/ (two filters)": "/partnerships/?kind=export&country=united-states",
        "partnership page": deal.get_absolute_url(),
        "country page": Country.objects.get(alpha_2="US").get_absolute_url(),
        "/countries/": "/countries/",
        "/countries/?region=Europe": "/countries/?region=Europe",
        "/organisations/": "/organisations/",
        "/systems/": "/systems/",
        "/blocs/": "/blocs/",
        "/tags/": "/tags/",
        "search: Turkey (names a country)": "/search/?q=Turkey",
        f"search: {COMMON} (common)": f"/search/?q={COMMON}",
        f"search: {RARE} (rare)": f"/search/?q={RARE}",
        "/network/": "/network/",
        "/network/ (every year)": "/network/?year_from=&year_to=",
        "/timeline/": "/timeline/",
        "/timeline/ (every year)": "/timeline/?year_from=&year_to=",
        "tag page": f"/tags/{tag}/" if tag else "/tags/",
        "sitemap index": "/sitemap.xml",
        "sitemap: articles, last page": "/sitemap-articles.xml?p={last}",
        "sitemap: partnerships": "/sitemap-partnerships.xml",
        "admin: articles": "/admin/articles/article/",
        "admin: partnerships": "/admin/partnerships/partnership/",
        "export.csv (all)": "/partnerships/export.csv",
        "export.json (all)": "/partnerships/export.json",
    }


def measure(repeat: int, only: list[str] | None = None) -> dict[str, dict]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from articles.models import Article
    from partnerships.models import Partnership

    admin = get_user_model().objects.filter(username="bench-admin").first()
    if admin is None:
        admin = get_user_model().objects.create_superuser(
            "bench-admin", "bench@example.org", "bench-password"
        )
    reader, staff = Client(), Client()
    staff.force_login(admin)
    last = max(
        1, -(-Article.objects.published().count() // settings.COOPSITE_SITEMAP_SIZE)
    )
    results = {}
    for name, path in pages().items():
        if only and name != "article page" and not any(o in name for o in only):
            continue
        path = path.format(last=last)
        client = staff if name.startswith("admin") else reader
        big = name.startswith("export")
        times, size, queries, warm, first = [], 0, 0, 0, 0.0
        for attempt in range(1 + (max(3, repeat // 3) if big else repeat)):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                if response.streaming:
                    size = sum(len(piece) for piece in response.streaming_content)
                else:
                    size = len(response.content)
                elapsed = time.perf_counter() - started
            assert response.status_code == 200, (path, response.status_code)
            if attempt == 0:
                first, queries = elapsed, len(captured.captured_queries)
            else:
                times.append(elapsed)
                warm = max(warm, len(captured.captured_queries))
        after_write, refresh = (None, None) if big else after_a_write(client, path)
        times.sort()
        results[name] = {
            "path": path,
            "queries": queries,
            "warm queries": warm,
            "bytes": size,
            "first": first,
            "after write": after_write,
            "refresh": refresh,
            "p50": statistics.median(times),
            "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
            "times": times,
        }
        if big:
            results[name]["rows"] = Partnership.objects.count()
        print(f"    {name}: {results[name]['p50'] * 1000:.0f} ms", flush=True)
    return results


def after_a_write(client, path: str) -> tuple[float, float]:
    """The time of the first request for ``path`` after a write (any
    committed change gives the data a new version: every count kept for the
    old one is of no use), and how long this process's background then
    took to count what that request was answered the last counts of."""
    from freshness.versions import bump, wait_for_refreshes

    bump()
    started = time.perf_counter()
    response = client.get(path)
    if response.streaming:
        sum(len(piece) for piece in response.streaming_content)
    else:
        len(response.content)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (path, response.status_code)
    wait_for_refreshes()
    return elapsed, time.perf_counter() - started - elapsed


def export_memory(path: str) -> dict:
    """Peak RSS growth while streaming ``path``, in a process of its own."""
    result = subprocess.run(  # noqa: S603 (this script, run again)
        [sys.executable, __file__, "--memory", path],
        env=os.environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit("the memory measurement failed")
    return json.loads(result.stdout.strip().splitlines()[-1])


def downloads_memory(stage: dict[str, dict]) -> dict[str, dict]:
    """Each download measured in ``stage``, streamed again in a process of
    its own for its peak memory."""
    return {
        name: export_memory(row["path"])
        for name, row in stage.items()
        if name.startswith("export")
    }


def _rss_kb(field: str) -> int | None:
    """``VmRSS`` (now) or ``VmHWM`` (the peak) of this process, in KB, where
    the system reports them (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _memory_worker(path: str) -> None:
    _django()
    from django.test import Client

    client = Client()
    client.get("/")  # everything imported and connected first
    # The peak so far (the home page's) would hide the download's own: on
    # Linux it is reset, and the growth is the new peak over the memory in
    # use now; elsewhere, the peak over the peak before.
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
        before, peak = _rss_kb("VmRSS"), lambda: _rss_kb("VmHWM")
    except OSError:
        before, peak = None, None
    if before is None or peak is None:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # noqa: E731
    started = time.perf_counter()
    response = client.get(path)
    size = sum(len(piece) for piece in response.streaming_content)
    elapsed = time.perf_counter() - started
    after = peak()
    print(
        json.dumps(
            {"growth_mb": (after - before) / 1024, "bytes": size, "seconds": elapsed}
        )
    )


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopsite.settings.local")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    # The pages' own work is what is measured: with DEBUG off the anonymous
    # page cache would answer every repeat (make bench-http measures it).
    os.environ.setdefault("COOPSITE_PUBLIC_CACHE", "false")
    import django

    django.setup()


def query_counts(row: dict) -> str:
    """The first request's queries, and the most a later one took when that
    differs ("11>2": counts and found keys kept for the data's version)."""
    if row["warm queries"] == row["queries"]:
        return str(row["queries"])
    return f"{row['queries']}>{row['warm queries']}"


def report_one(stage: dict[str, dict], memory: dict[str, dict] | None = None) -> None:
    base = stage["article page"]["p50"]
    print(
        f"\n{'page':34} {'queries':>7} {'KB':>8} | {'first':>7} {'p50':>7}"
        f" {'p95':>7} {'× art':>6} | {'after write':>11} {'× art':>6} {'refresh':>8}"
    )
    for name, row in stage.items():
        print(
            f"{name:34} {query_counts(row):>7} {row['bytes'] / 1024:8.1f} |"
            f" {row['first'] * 1000:7.1f} {row['p50'] * 1000:7.1f}"
            f" {row['p95'] * 1000:7.1f} {row['p50'] / base:6.1f} |"
            f" {after_write(row, base)}"
        )
    report_downloads(stage, memory or {})


def after_write(row: dict, base: float) -> str:
    """The first request after a write (ms, and × the article page's p50),
    and the background's counting after it (ms)."""
    if row.get("after write") is None:
        return f"{'':11} {'':6} {'':8}"
    return (
        f"{row['after write'] * 1000:11.1f} {row['after write'] / base:6.1f}"
        f" {row['refresh'] * 1000:8.1f}"
    )


def report_downloads(stage: dict[str, dict], memory: dict[str, dict]) -> None:
    """The downloads measured, in rows per second (and their memory)."""
    for name in ("export.csv (all)", "export.json (all)"):
        if name not in stage:
            continue
        row = stage[name]
        rates = sorted(row["rows"] / seconds for seconds in row["times"])
        print(
            f"\n{name}: {row['rows']:,} rows, {row['bytes'] / 1e6:.1f} MB in"
            f" {row['p50']:.2f} s = {row['rows'] / row['p50']:,.0f} rows/s"
            f" (of {len(rates)}: {rates[0]:,.0f} to {rates[-1]:,.0f})",
            end="",
        )
        if name in memory:
            print(
                f"; peak RSS growth {memory[name]['growth_mb']:.1f} MB"
                " (a process of its own)",
                end="",
            )
        print()


def report(stages: dict[str, dict[str, dict]], memory: dict[str, dict]) -> None:
    small, large = stages["1k"], stages["100k"]
    base_small, base_large = small["article page"]["p50"], large["article page"]["p50"]
    print(
        "\nServer time through Django's test client, ms (p50 and p95 of the"
        " requests after the first; 'first' is the first request's time;"
        " 'after write' the first request's after a write, at 100,000 articles,"
        " and 'refresh' the background's counting after it).\n"
        "Both stages hold the full datasets; '× article' is p50 ÷ the article"
        " page's p50 in the same stage.\n"
    )
    header = (
        f"{'page':34} {'queries':>7} {'KB':>8} | {'1k p50':>7} {'p95':>6} {'× art':>6}"
        f" | {'100k first':>10} {'p50':>7} {'p95':>7} {'× art':>6} | {'100k÷1k':>7}"
        f" | {'after write':>11} {'× art':>6} {'refresh':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, at_large in large.items():
        at_small = small[name]
        queries = (
            query_counts(at_small)
            if query_counts(at_small) == query_counts(at_large)
            else f"{query_counts(at_small)} {query_counts(at_large)}"
        )
        print(
            f"{name:34} {queries:>7} {at_large['bytes'] / 1024:8.1f} |"
            f" {at_small['p50'] * 1000:7.1f} {at_small['p95'] * 1000:6.1f}"
            f" {at_small['p50'] / base_small:6.1f} |"
            f" {at_large['first'] * 1000:10.1f} {at_large['p50'] * 1000:7.1f}"
            f" {at_large['p95'] * 1000:7.1f} {at_large['p50'] / base_large:6.1f} |"
            f" {at_large['p50'] / at_small['p50']:7.2f} |"
            f" {after_write(at_large, base_large)}"
        )
    report_downloads(large, memory)


KEPT = "coopsite_bench_pages_kept"


def kept_database_url(postgres: str) -> str:
    """The database ``--keep`` reuses: created on the server if missing."""
    if not postgres.startswith("postgres"):
        return f"sqlite:///{Path(tempfile.gettempdir()) / 'bench.sqlite3'}"
    import psycopg

    with psycopg.connect(postgres, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [KEPT]
        ).fetchone()
        if not found:
            connection.execute(f'CREATE DATABASE "{KEPT}"')
    return postgres.rsplit("/", 1)[0] + f"/{KEPT}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 9))
    )
    parser.add_argument(
        "--articles",
        type=int,
        help="the second stage's size (100,000; with --only, none unless given)",
    )
    parser.add_argument("--deals", type=int, default=DEALS)
    parser.add_argument("--exercises", type=int, default=EXERCISES)
    parser.add_argument("--sqlite", action="store_true", help="measure SQLite instead")
    parser.add_argument(
        "--only",
        action="append",
        help="measure only the pages whose names contain this (and the article"
        " page), at 1,000 articles; may be given more than once",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        default=os.environ.get("BENCH_KEEP", "") not in ("", "0", "false"),
        help="reuse (and leave) the kept database, generating only what it lacks",
    )
    parser.add_argument("--memory", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.memory:
        _memory_worker(options.memory)
        return

    with tempfile.TemporaryDirectory(prefix="coopsite-pages-") as folder:
        postgres = os.environ.get("DATABASE_URL", "")
        if options.sqlite:
            postgres = ""
        if options.keep:
            os.environ["DATABASE_URL"] = kept_database_url(postgres)
        elif not postgres.startswith("postgres"):
            os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        else:
            os.environ["DATABASE_URL"] = fresh_postgres_url(
                postgres, "coopsite_bench_pages"
            )
        engine = os.environ["DATABASE_URL"].split(":")[0]
        print(
            f"Database: {engine} ({'kept' if options.keep else 'new'}); generating"
            " the full datasets (what it lacks of them)…",
            flush=True,
        )
        _django()
        from django.core.management import call_command

        from articles.models import Article
        from partnerships.models import Partnership

        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        if not Partnership.objects.exists():
            import_datasets(Path(folder), options.deals, options.exercises)
        add_articles(1_000)
        stages = {}
        if Article.objects.count() <= 1_000:
            print(
                f"  ready in {time.perf_counter() - started:.0f} s;"
                " measuring at 1,000 articles"
            )
            stages["1k"] = measure(options.repeat, options.only)
        else:
            print("  (the kept database holds more than 1,000 articles)")
        articles = options.articles or (None if options.only else 100_000)
        if articles is None:
            report_one(stages["1k"], downloads_memory(stages["1k"]))
            return
        started = time.perf_counter()
        add_articles(articles)
        print(
            f"  ready in {time.perf_counter() - started:.0f} s; measuring at {articles:,}"
        )
        stages["100k"] = measure(options.repeat, options.only)
        if options.only or "1k" not in stages:
            for name, stage in stages.items():
                print(f"\nAt {name} articles:")
                report_one(stage)
            return
        report(stages, downloads_memory(stages["100k"]))


if __name__ == "__main__":
    main()
