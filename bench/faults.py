"""Fault benchmark: PostgreSQL restarts under load.

Serves the demo site with gunicorn (production settings, DEBUG off) against
the PostgreSQL server ``scripts/with-postgres`` started on loopback, puts
``wrk`` on an article page, restarts PostgreSQL in the middle of the run, and
prints requests, answers that were not 2xx by one-second window, and how
long the site took to recover once PostgreSQL was back. While the database
is away the site should answer 503 with Retry-After, never 500.

    make bench-faults        # scripts/with-postgres python bench/faults.py

Loopback only, bounded in time (``--seconds``, default 20).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable

from tests.servers import free_port, wait_for

# wrk's Lua: count answers by (second, status); socket errors wrk reports.
WRK_SCRIPT = r"""
counts = {}
function response(status, headers, body)
  local key = os.time() .. " " .. status
  counts[key] = (counts[key] or 0) + 1
end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("counts")) do total[key] = (total[key] or 0) + n end
  end
  for key, n in pairs(total) do io.write("window ", key, " ", n, "\n") end
  io.write("errors ", summary.errors.connect, " ", summary.errors.read, " ",
    summary.errors.write, " ", summary.errors.timeout, "\n")
end
"""


def run(*args, env=None, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)  # noqa: S603


def as_postgres(*args):
    if os.geteuid() == 0:
        args = ("runuser", "-u", "postgres", "--", *args)
    return subprocess.run(args, check=True, capture_output=True, text=True)  # noqa: S603


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--restart-at", type=float, default=6.0)
    parser.add_argument("--down-for", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=3)
    options = parser.parse_args()

    for name in ("DATABASE_URL", "COOPSITE_PG_BIN", "COOPSITE_PG_DATA"):
        if name not in os.environ:
            sys.exit(f"{name} is not set: run under scripts/with-postgres.")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install -y wrk).")
    pg_ctl = Path(os.environ["COOPSITE_PG_BIN"]) / "pg_ctl"
    pg_data = os.environ["COOPSITE_PG_DATA"]

    port = free_port()
    static_root = tempfile.mkdtemp(prefix="coopsite-static-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coopsite.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(options.workers),
    }
    quiet = {"stdout": subprocess.DEVNULL}
    run(PYTHON, "manage.py", "migrate", "--noinput", env=env, **quiet)
    run(PYTHON, "manage.py", "load_demo", env=env, **quiet)
    run(PYTHON, "manage.py", "collectstatic", "--noinput", env=env, **quiet)
    gunicorn = Path(PYTHON).with_name("gunicorn")
    log = open(Path(static_root) / "gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603 - our gunicorn, on loopback
        [str(gunicorn), "-c", "gunicorn.conf.py", "coopsite.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = (
        f"http://127.0.0.1:{port}/articles/how-the-tb2-redrew-the-map-of-drone-exports/"
    )
    script = Path(static_root) / "count.lua"
    script.write_text(WRK_SCRIPT)
    try:
        wait_for(url)
        wrk = subprocess.Popen(  # noqa: S603 - wrk on loopback, bounded
            [  # noqa: S607 - timeout and wrk from the PATH
                "timeout",
                str(options.seconds + 30),
                "wrk",
                "-t2",
                "-c16",
                f"-d{options.seconds}s",
                "--latency",
                "-s",
                str(script),
                url,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        # Started again with the options it runs with (port, socket, loopback).
        server_options = shlex.split(Path(pg_data, "postmaster.opts").read_text())[1:]
        at = server_options.index("-D")
        del server_options[at : at + 2]
        started = time.time()
        time.sleep(options.restart_at)
        down_at = time.time()
        as_postgres(str(pg_ctl), "-D", pg_data, "-m", "fast", "-w", "stop")
        time.sleep(options.down_for)
        as_postgres(
            str(pg_ctl),
            "-D",
            pg_data,
            "-l",
            f"{pg_data}/server.log",
            "-o",
            shlex.join(server_options),
            "-w",
            "start",
        )
        up_at = time.time()
        output, _ = wrk.communicate()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    report(output, started, down_at, up_at, options)
    shutil.rmtree(static_root, ignore_errors=True)


def report(output: str, started: float, down_at: float, up_at: float, options):
    windows: dict[int, dict[int, int]] = {}
    for second, status, count in re.findall(
        r"^window (\d+) (\d+) (\d+)$", output, re.M
    ):
        windows.setdefault(int(second), {})[int(status)] = int(count)
    errors = re.search(r"^errors (\d+) (\d+) (\d+) (\d+)$", output, re.M)
    total = sum(sum(c.values()) for c in windows.values())
    first = min(windows) if windows else int(started)
    print(
        f"wrk -t2 -c16 -d{options.seconds}s on an article page, gunicorn "
        f"({options.workers} workers, production settings, DEBUG off), PostgreSQL "
        f"stopped at +{down_at - started:.1f} s for {up_at - down_at:.1f} s "
        f"(back at +{up_at - started:.1f} s)."
    )
    print()
    print("| second | 2xx | 503 | 500 | other | |")
    print("|---:|---:|---:|---:|---:|---|")
    for second in sorted(windows):
        counts = windows[second]
        ok = sum(n for s, n in counts.items() if 200 <= s < 300)
        unavailable = counts.get(503, 0)
        errors500 = sum(n for s, n in counts.items() if s >= 500 and s != 503)
        other = sum(counts.values()) - ok - unavailable - errors500
        when = ""
        if down_at <= second + 1 and second <= up_at:
            when = "PostgreSQL down"
        print(
            f"| +{second - first} | {ok} | {unavailable} | {errors500} | {other} | {when} |"
        )
    non_2xx = sum(
        n
        for counts in windows.values()
        for s, n in counts.items()
        if not 200 <= s < 300
    )
    five_hundreds = sum(
        n
        for counts in windows.values()
        for s, n in counts.items()
        if s >= 500 and s != 503
    )
    recovered = next(
        (
            second
            for second in sorted(windows)
            if second >= int(up_at) and all(200 <= s < 300 for s in windows[second])
        ),
        None,
    )
    print()
    print(
        f"requests: {total:,}; not 2xx: {non_2xx:,} (503: {non_2xx - five_hundreds:,}, 500 and other 5xx: {five_hundreds:,})"
    )
    if errors:
        print(
            "socket errors: connect {}, read {}, write {}, timeout {}".format(
                *errors.groups()
            )
        )
    if recovered is None:
        print("recovery: not within the run")
    else:
        print(
            f"recovery: every answer 2xx from +{recovered - first} s, "
            f"{max(0.0, recovered - up_at):.1f} s after PostgreSQL was back "
            "(1-second windows), without restarting gunicorn"
        )


if __name__ == "__main__":
    main()
