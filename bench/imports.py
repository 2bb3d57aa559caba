"""Benchmark: importing a SIPRI trade register of 30,000 deals.

Writes a synthetic "all countries" export the size of the full register
(30,000 deals, ISO-8859-1, notes before the header, about 250 countries and
a few non-state actors, some comments split over two lines, stray carriage
returns and twin deals) and measures, in this one run:

* plain CSV parsing of the file (``csv.reader``): the floor;
* coopsite's parsing and checking of it, without the database;
* ``import_sipri`` into a new, migrated SQLite database and a new
  PostgreSQL database: the first import (everything created) and a second
  one (everything unchanged);

each as the median of ``--repeat`` runs, with deals per second and the ratio
to plain CSV parsing. PostgreSQL is the server ``DATABASE_URL`` names
(``make bench-import`` starts a throwaway one on loopback); without it only
SQLite is measured.

    make bench-import        # or: scripts/with-postgres python bench/imports.py
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEALS = 30_000

NOTES = [
    "Transfers of major conventional arms from All countries  to All countries . "
    "Deals with deliveries made for the year range 'Not specified' to 'Not specified' ",
    "A '?' in a column indicates uncertain data. The 'Number delivered' and the "
    "'Year(s) of delivery' refer only to deliveries in the selected year(s).",
    "An empty field for 'Number ordered' indicates that data is not yet available.",
    "SIPRI trend-indicator values (TIVs) are in millions.",
    "An empty field for 'SIPRI TIV for total order' indicates that data is not available.",
    "A '0' for 'SIPRI TIV of delivered weapons' indicates a volume between 0 and 0.5.",
    "Figures may not add up to stated totals due to the conventions of rounding.",
    "For the method used see <https://www.sipri.org/databases/armstransfers/sources-and-methods>.",
    "",
    "Source: SIPRI Arms Transfers Database (c) SIPRI.",
    "Data generated: 13 Mar 2025 10:02:49 AM",
]
HEADER = (
    "Recipient,Supplier,Year of order, ,Number ordered, ,Weapon designation,"
    "Weapon description,Number delivered, ,Year(s) of delivery,status,Comments,"
    "SIPRI TIV per unit,SIPRI TIV for total order,SIPRI TIV of delivered weapons"
)
DESCRIPTIONS = [
    "fighter aircraft", "transport helicopter", "APC", "tank", "frigate", "SAM system",
    "portable SAM", "anti-ship missile", "air search radar", "towed gun", "UAV",
    "armed UAV", "patrol boat", "turbofan", "anti-tank missile", "self-propelled gun",
    "submarine", "trainer aircraft", "fire control radar", "guided bomb",
]  # fmt: skip
TOP_SUPPLIERS = [
    "United States", "Russia", "France", "China", "Germany", "United Kingdom", "Italy",
    "Israel", "Spain", "Soviet Union", "Turkiye", "South Korea", "Netherlands", "Ukraine",
]  # fmt: skip
NON_STATE = [
    "Hezbollah (Lebanon)*", "Houthi rebels (Yemen)*", "Syria rebels*", "United Nations**",
    "African Union**", "NATO**", "unknown supplier(s)", "unknown recipient(s)",
]  # fmt: skip


def countries() -> list[str]:
    import pycountry

    names = [getattr(c, "common_name", None) or c.name for c in pycountry.countries]
    return sorted(set(names))


def write_register(path: Path, deals: int, seed: int = 2025) -> None:
    """A synthetic all-countries export with the full register's quirks."""
    rng = random.Random(seed)
    names = countries()
    suppliers = TOP_SUPPLIERS * 8 + rng.sample(names, 120)
    systems = [
        (
            f"{rng.choice('ABCDFGHKLMST')}{rng.choice('ABKMRSTVZ')}-{n}",
            rng.choice(DESCRIPTIONS),
        )
        for n in range(3000)
    ]
    rows: list[list[str]] = []
    for n in range(deals):
        recipient = rng.choice(NON_STATE) if n % 500 == 7 else rng.choice(names)
        supplier = (
            rng.choice(NON_STATE[:1] + NON_STATE[6:])
            if n % 700 == 3
            else rng.choice(suppliers)
        )
        if supplier == recipient:
            supplier = "United States" if recipient != "United States" else "France"
        designation, description = rng.choice(systems)
        year = rng.randint(1950, 2024)
        ordered = rng.randint(1, 200)
        delivered = ordered if rng.random() < 0.7 else rng.randint(0, ordered)
        first = min(2024, year + rng.randint(0, 3))
        years = "; ".join(
            str(y) for y in range(first, min(2024, first + rng.randint(0, 4)) + 1)
        )
        unit = round(rng.uniform(0.01, 60), 2)
        rows.append(
            [
                recipient, supplier, str(year), "?" if rng.random() < 0.1 else "",
                str(ordered), "?" if rng.random() < 0.2 else "", designation, description,
                str(delivered) if delivered else "", "", years if delivered else "",
                rng.choice(["New"] * 8 + ["Second hand", "Second hand but modernized"]),
                rng.choice(["", "", "", "For the navy", f"Part of ${rng.randint(1, 900)} m deal"]),
                str(unit), f"{unit * ordered:.0f}", f"{unit * delivered:.0f}" if delivered else "",
            ]
        )  # fmt: skip
    for n in range(0, deals, 1000):  # twin deals: alike in every column
        rows[n + 1] = list(rows[n])
    lines: list[str] = []
    for n, row in enumerate(rows):
        if n % 2000 == 11:  # a comment with a line break: 13 fields, then 4
            row[12] = "First part of a long comment"
            lines.append(_line(row[:13]))
            lines.append(_line(["and the rest of it", *row[13:]]))
            continue
        lines.append(_line(row) + ("\r" if n % 1500 == 5 else ""))
    text = "\n".join([*NOTES, HEADER, *lines]) + "\n"
    path.write_bytes(text.encode("iso-8859-1", errors="replace"))


def _line(cells: list[str]) -> str:
    out = []
    for cell in cells:
        out.append(f'"{cell}"' if "," in cell or '"' in cell else cell)
    return ",".join(out)


# --- Measuring -------------------------------------------------------------------------------


def csv_parse(path: Path, deals: int) -> float:
    started = time.perf_counter()
    with open(path, encoding="iso-8859-1", newline="") as handle:
        rows = sum(1 for _ in csv.reader(handle))
    elapsed = time.perf_counter() - started
    assert rows > deals, rows
    return elapsed


def coopsite_parse(path: Path, deals: int) -> float:
    _django()
    from datasets.sipri import parse
    from datasets.source import read_file

    started = time.perf_counter()
    register = parse(read_file(path).text)
    elapsed = time.perf_counter() - started
    assert len(register.deals) == deals, len(register.deals)
    return elapsed


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopsite.settings.local")
    import django

    django.setup()


def import_once(path: Path, database_url: str) -> dict:
    """Migrate a new database, then time two imports of the file, in a
    process of its own (one process, one database)."""
    env = {**os.environ, "DATABASE_URL": database_url}
    env.setdefault("DJANGO_SETTINGS_MODULE", "coopsite.settings.local")
    result = subprocess.run(  # noqa: S603 (this script, run again)
        [sys.executable, __file__, "--worker", str(path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"the import failed on {database_url.split(':')[0]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def worker(path: Path) -> None:
    """In a process whose DATABASE_URL is a new, empty database."""
    _django()
    from io import StringIO

    from django.core.management import call_command

    from partnerships.models import Partnership

    call_command("migrate", verbosity=0, interactive=False)
    timings = []
    for _ in range(2):
        started = time.perf_counter()
        call_command("import_sipri", str(path), stdout=StringIO())
        timings.append(time.perf_counter() - started)
    deals = Partnership.objects.filter(kind="export").count()
    print(json.dumps({"first": timings[0], "again": timings[1], "deals": deals}))


def fresh_postgres_url(base: str, name: str) -> str:
    """A new database on the server ``base`` names."""
    import psycopg

    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + f"/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 3))
    )
    parser.add_argument("--deals", type=int, default=DEALS)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        worker(options.worker)
        return

    postgres = os.environ.get("DATABASE_URL", "")
    if not postgres.startswith("postgres"):
        postgres = ""
    with tempfile.TemporaryDirectory(prefix="coopsite-bench-") as folder:
        path = Path(folder) / "register.csv"
        write_register(path, options.deals)
        size = path.stat().st_size / 1e6
        print(
            f"A synthetic register: {options.deals:,} deals, {size:.1f} MB, ISO-8859-1."
        )

        runs: dict[str, list] = {"csv": [], "parse": [], "sqlite": [], "postgresql": []}
        for number in range(options.repeat):
            runs["csv"].append(csv_parse(path, options.deals))
            runs["parse"].append(coopsite_parse(path, options.deals))
            database = Path(folder) / f"bench-{number}.sqlite3"
            runs["sqlite"].append(import_once(path, f"sqlite:///{database}"))
            database.unlink()
            if postgres:
                url = fresh_postgres_url(postgres, f"coopsite_bench_{number}")
                runs["postgresql"].append(import_once(path, url))
            print(f"  run {number + 1} of {options.repeat} done", flush=True)

    deals = runs["sqlite"][0]["deals"]
    floor = statistics.median(runs["csv"])
    print(f"\nMedians of {options.repeat} runs; {deals:,} deals imported each time.\n")
    print(f"{'':34} {'seconds':>9} {'deals/s':>10} {'× CSV parsing':>14}")

    def row(label: str, seconds: float) -> None:
        print(
            f"{label:34} {seconds:9.2f} {deals / seconds:10,.0f} {seconds / floor:14.1f}"
        )

    row("plain CSV parsing (csv.reader)", floor)
    row("coopsite parsing and checks", statistics.median(runs["parse"]))
    for backend in ("sqlite", "postgresql"):
        if not runs[backend]:
            print(f"{backend}: not measured (DATABASE_URL names no PostgreSQL server)")
            continue
        row(
            f"import, {backend}: all new",
            statistics.median(r["first"] for r in runs[backend]),
        )
        row(
            f"import, {backend}: again, unchanged",
            statistics.median(r["again"] for r in runs[backend]),
        )


if __name__ == "__main__":
    main()
