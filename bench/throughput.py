"""Throughput benchmark: requests per second under gunicorn, uncached and cached.

Serves the site with gunicorn (2 sync workers, production settings, DEBUG
off) on loopback, against the PostgreSQL server ``scripts/with-postgres``
started and the Redis server ``scripts/with-redis`` started (the shared
cache), and puts ``wrk`` for ``--seconds`` (5) on each of: a bare view
(``HttpResponse("ok")`` behind the same middleware), an article page,
``/articles/``, ``/partnerships/``, a partnership page and a search. First
with the page cache off (every request makes its page), then, after a
restart, with it on (as production runs: each page made once per change of
the data, then served from Redis). Prints requests per second, each page's
ratio to the bare view with the cache off, its latency (p50, p99) and the
answers that were not 2xx.

The two servers run side by side and the measurements are interleaved: in
each of ``--rounds`` (3) rounds, every page is measured uncached and cached
for ``--seconds`` (5) each, the bare view first. A page's ratio is the
median over the rounds of its rate over the bare view's in the same round,
so a machine whose load changes during the run (a shared one) moves both
sides of each ratio alike; the rates shown are medians too.

    make bench-http     # scripts/with-postgres scripts/with-redis python bench/throughput.py

The data: the full datasets (a generated SIPRI register of 30,000 deals,
4,000 exercises, imported by the real importers) and 1,000 published
articles with about 20 links each, generated as ``make bench-pages`` does
(``--deals``, ``--exercises``, ``--articles``); ``--demo`` serves the demo
content instead (quick). Loopback only, bounded in time.

Goals (issue 12): the uncached article page at least 0.40 × the bare view,
cached pages at least 0.85 ×, and no answer other than 2xx.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import free_port, wait_for

PYTHON = sys.executable
WORKERS = 2
WARM_UP_SECONDS = 2
GOALS = {"article page": 0.40}
CACHED_GOAL = 0.85


def prepare(options) -> dict[str, str]:
    """A new database with the data to serve; the addresses to measure."""
    from bench.imports import fresh_postgres_url

    os.environ["DATABASE_URL"] = fresh_postgres_url(
        os.environ["DATABASE_URL"], "coopsite_bench_http"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopsite.settings.local")
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    if options.demo:
        call_command("load_demo", verbosity=0)
    else:
        from bench.pages import add_articles, import_datasets

        with tempfile.TemporaryDirectory(prefix="coopsite-http-") as folder:
            import_datasets(Path(folder), options.deals, options.exercises)
        add_articles(options.articles)
    print(f"  data ready in {time.perf_counter() - started:.0f} s", flush=True)
    return addresses()


def addresses() -> dict[str, str]:
    from articles.models import Article
    from partnerships.models import Partnership

    article = Article.objects.published().order_by("-published_at").first()
    deal = Partnership.objects.filter(participants__isnull=False).order_by("pk").first()
    return {
        "bare view": "/bench/bare/",
        "article page": article.get_absolute_url(),
        "/articles/": "/articles/",
        "/partnerships/": "/partnerships/",
        "partnership page": deal.get_absolute_url(),
        "search": "/search/?q=missile",
    }


class Server:
    """gunicorn on loopback with production settings."""

    def __init__(self, *, cached: bool, folder: str):
        self.port = free_port()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.throughput_settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "CACHE_URL": os.environ["COOPSITE_TEST_REDIS_URL"],
            "COOPSITE_PUBLIC_CACHE": "1" if cached else "0",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(WORKERS),
        }
        self.log_path = (
            Path(folder) / f"gunicorn-{'cached' if cached else 'uncached'}.log"
        )

    def __enter__(self):
        gunicorn = Path(PYTHON).with_name("gunicorn")
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(  # noqa: S603 - our gunicorn, on loopback
            [
                str(gunicorn),
                "-c",
                "gunicorn.conf.py",
                "--access-logfile",
                "/dev/null",
                "coopsite.wsgi",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_for(self.url("/bench/bare/"))
        return self

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def wrk(url: str, seconds: int) -> dict:
    output = subprocess.run(  # noqa: S603 - wrk on loopback, bounded
        [  # noqa: S607 - timeout and wrk from the PATH
            "timeout",
            str(seconds + 30),
            "wrk",
            "-t2",
            "-c8",
            f"-d{seconds}s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    total = int(re.search(r"(\d+) requests in", output)[1])
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rate": rate,
        "requests": total,
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
        "errors": errors[1] if errors else "",
        "p50": latency(output, "50%"),
        "p99": latency(output, "99%"),
    }


def latency(output: str, quantile: str) -> str:
    found = re.search(rf"^\s+{re.escape(quantile)}\s+(\S+)", output, re.M)
    return found[1] if found else "?"


def collectstatic(folder: str) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.throughput_settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="per page and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--deals", type=int, default=30_000)
    parser.add_argument("--exercises", type=int, default=4_000)
    parser.add_argument("--articles", type=int, default=1_000)
    parser.add_argument("--demo", action="store_true", help="the demo content only")
    options = parser.parse_args()
    for name in ("DATABASE_URL", "COOPSITE_TEST_REDIS_URL"):
        if name not in os.environ:
            sys.exit(
                f"{name} is not set: run under scripts/with-postgres scripts/with-redis."
            )
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install -y wrk).")

    data = (
        "the demo content"
        if options.demo
        else (
            f"{options.deals:,} deals, {options.exercises:,} exercises, "
            f"{options.articles:,} articles"
        )
    )
    print(f"PostgreSQL (new database) with {data}; Redis as the cache.", flush=True)
    pages = prepare(options)
    rounds: list[dict[str, dict[str, dict]]] = []
    with tempfile.TemporaryDirectory(prefix="coopsite-http-") as folder:
        collectstatic(folder)
        with (
            Server(cached=False, folder=folder) as uncached,
            Server(cached=True, folder=folder) as cached,
        ):
            servers = {"uncached": uncached, "cached": cached}
            for server in servers.values():
                for path in pages.values():
                    url = server.url(path)
                    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310
                        response.read()  # made once (and, cached, kept)
                    # Every worker past its first request (imports, the code
                    # version, template compiling), not counted.
                    wrk(url, WARM_UP_SECONDS)
            for number in range(1, options.rounds + 1):
                print(f"  round {number} of {options.rounds} …", flush=True)
                rounds.append(
                    {
                        name: {
                            mode: wrk(server.url(path), options.seconds)
                            for mode, server in servers.items()
                        }
                        for name, path in pages.items()
                    }
                )
    report(rounds, pages, options)


def summary(rounds, name: str, mode: str) -> dict:
    """A page's measurements over the rounds: median rate, median ratio to
    the bare view (uncached) of the same round, the last round's latency,
    every non-2xx answer and socket error."""
    runs = [measured[name][mode] for measured in rounds]
    bare = [measured["bare view"]["uncached"]["rate"] for measured in rounds]
    return {
        "rate": statistics.median(run["rate"] for run in runs),
        "ratio": statistics.median(
            run["rate"] / rate for run, rate in zip(runs, bare, strict=True)
        ),
        "p50": runs[-1]["p50"],
        "p99": runs[-1]["p99"],
        "non_2xx": sum(run["non_2xx"] for run in runs),
        "errors": "; ".join(run["errors"] for run in runs if run["errors"]),
    }


def report(rounds, pages, options) -> None:
    print()
    print(
        f"wrk -t2 -c8 -d{options.seconds}s per page, mode and round, "
        f"{options.rounds} rounds interleaved; gunicorn, {WORKERS} sync workers, "
        "production settings, DEBUG off; req/s and ratios to the bare view "
        "with the cache off (of the same round) are medians over the rounds; "
        "latency from the last round."
    )
    print()
    print("| page | cache | req/s | × bare view | p50 | p99 | non-2xx | goal |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    failed = []
    for name in pages:
        for mode in ("uncached", "cached"):
            row = summary(rounds, name, mode)
            ratio = row["ratio"]
            goal = ""
            if mode == "cached" and name != "bare view":
                goal = f"≥ {CACHED_GOAL:.2f}"
                ok = ratio >= CACHED_GOAL
            elif mode == "uncached" and name in GOALS:
                goal = f"≥ {GOALS[name]:.2f}"
                ok = ratio >= GOALS[name]
            else:
                ok = True
            if goal:
                goal += " ✓" if ok else " ✗"
            if not ok:
                failed.append(f"{name} ({mode})")
            if row["non_2xx"] or row["errors"]:
                failed.append(
                    f"{name} ({mode}): {row['non_2xx']} non-2xx {row['errors']}"
                )
            print(
                f"| {name} | {mode} | {row['rate']:,.0f} | {ratio:.2f} | "
                f"{row['p50']} | {row['p99']} | {row['non_2xx']} | {goal} |"
            )
    print()
    print("Addresses: " + ", ".join(f"{n} {p}" for n, p in pages.items()))
    print("Below goal: " + ("; ".join(failed) if failed else "none"))


if __name__ == "__main__":
    main()
