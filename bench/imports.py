"""Benchmark: the dataset imports at full size, as ratios to the floor.

Writes a synthetic SIPRI "all countries" export the size of the full
register (30,000 deals, ISO-8859-1, notes before the header, about 250
countries and a few non-state actors, comments split over two lines, stray
carriage returns, twin deals) and a synthetic MME file of 4,000 exercises
(partial dates, missing values, a few reversed dates and repeated ids), and
measures in this one run, for each file:

* the floor: plain ``csv.reader`` plus one ``executemany`` of the raw rows
  into one table, in SQLite (``sqlite3``) and in PostgreSQL (psycopg), the
  median of five measurements just before each run's imports;
* ``import_sipri`` / ``import_exercises`` into a new, migrated database:
  the first import (everything created) and a second one (unchanged);
* the peak resident memory of the process that ran the first import;

each as the median of ``--repeat`` runs and as a ratio to the floor on the
same database. PostgreSQL is the server ``DATABASE_URL`` names (``make
bench-import`` starts a throwaway one on loopback); without it only SQLite
is measured.

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
EXERCISES = 4_000
GOALS = {"first": 25, "again": 4}  # × the floor, SQLite (issue 11)
# The floor takes a fifth of a second: one sample of it moves by half with
# the load of a shared machine, the seconds-long import it divides much
# less. Each run's floor is the median of this many samples.
FLOOR_SAMPLES = 5
RSS_GOAL_MB = 300

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


def write_exercises(path: Path, exercises: int, seed: int = 2025) -> None:
    """A synthetic MME file in the dataset's layout, with its quirks."""
    rng = random.Random(seed)
    names = countries()
    states = [f"State{chr(c)}" for c in range(ord("A"), ord("Z") + 1)]
    states += [f"StateA{chr(c)}" for c in range(ord("A"), ord("M") + 1)]
    header = [
        "MMEID", "Ex_Name", "Series_Name", "Location", "lat", "lon", "StartDate",
        "s.year", "s.month", "s.day", "EndDate", "e.year", "e.month", "e.day",
        "CPX", "Air", "Land", "Sea", "Amphibious", "Cyber", "Warfighting",
        "Peacekeeping", "Humanitarian", "FocusDescription",
        "AdditionalParticipantInfo", *states,
    ]  # fmt: skip
    series = [
        f"{rng.choice(['Cobra', 'Shield', 'Eagle', 'Anchor'])} {n}" for n in range(300)
    ]
    places = [
        "{c}", "off the coast of {c}", "{c}, near the capital", "Turkish seaport",
        "South China Sea", "Fort Bragg, North Carolina", "{c} and {d}",
    ]  # fmt: skip
    rows = []
    for n in range(exercises):
        year = rng.randint(1980, 2016)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        length = rng.randint(0, 20)
        end_day = min(28, day + length)
        taking_part = rng.sample(names, rng.randint(2, 12))
        place = rng.choice(places).format(c=taking_part[0], d=taking_part[1])
        start = [str(year), str(month), "xx" if n % 37 == 0 else str(day)]
        end = [str(year), str(month), "-9" if n % 41 == 0 else str(end_day)]
        if n % 650 == 3:  # the publisher's reversed dates
            start[2], end[2] = str(end_day), str(max(1, day - 1))
        row = [
            f"mme{n + 1}", f"{rng.choice(series)} {year}" if n % 9 else "-9",
            rng.choice(series) if n % 3 else "", place,
            f"{rng.uniform(-60, 70):.6f}", f"{rng.uniform(-170, 170):.6f}",
            f"{month}/{day}/{year % 100:02d}", *start,
            f"{month}/{end_day}/{year % 100:02d}", *end,
            *(str(int(rng.random() < 0.3)) for _ in range(9)),
            "to improve interoperability between the forces", "",
            *taking_part, *[""] * (len(states) - len(taking_part)),
        ]  # fmt: skip
        rows.append(row)
    for n in range(100, exercises, 1300):  # a repeated id, other values
        rows[n][0] = rows[n - 1][0]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


# --- Measuring -------------------------------------------------------------------------------


def raw_rows(path: Path, encoding: str) -> tuple[list[list[str]], int]:
    """The file's rows as csv.reader gives them, padded to one width."""
    with open(path, encoding=encoding, newline="") as handle:
        rows = list(csv.reader(handle))
    width = max(len(row) for row in rows)
    return [row + [""] * (width - len(row)) for row in rows], width


def floor_sqlite(path: Path, encoding: str, folder: Path) -> float:
    """csv.reader + sqlite3 executemany of the raw rows into one table."""
    import sqlite3

    database = folder / "floor.sqlite3"
    started = time.perf_counter()
    rows, width = raw_rows(path, encoding)
    connection = sqlite3.connect(database)
    columns = ", ".join(f"c{n} TEXT" for n in range(width))
    connection.execute(f"CREATE TABLE raw ({columns})")
    marks = ", ".join("?" * width)
    with connection:
        connection.executemany(f"INSERT INTO raw VALUES ({marks})", rows)  # noqa: S608
    connection.close()
    elapsed = time.perf_counter() - started
    database.unlink()
    return elapsed


def floor_postgres(path: Path, encoding: str, url: str) -> float:
    """The same into PostgreSQL: csv.reader + psycopg executemany."""
    import psycopg

    started = time.perf_counter()
    rows, width = raw_rows(path, encoding)
    with psycopg.connect(url) as connection:
        columns = ", ".join(f"c{n} text" for n in range(width))
        connection.execute(f"CREATE TABLE raw ({columns})")
        marks = ", ".join(["%s"] * width)
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO raw VALUES ({marks})", rows)  # noqa: S608
        connection.commit()
        elapsed = time.perf_counter() - started
        connection.execute("DROP TABLE raw")
        connection.commit()
    return elapsed


def median_floor(measure, *args) -> float:
    """The floor of one run: the median of ``FLOOR_SAMPLES`` measurements."""
    return statistics.median(measure(*args) for _ in range(FLOOR_SAMPLES))


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopsite.settings.local")
    import django

    django.setup()


def import_twice(command: str, path: Path, database_url: str) -> dict:
    """Migrate a new database, then time two imports of the file, in a
    process of its own (one process, one database)."""
    # DEBUG off, as in production: with it on, Django keeps every query.
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "0"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "coopsite.settings.local")
    result = subprocess.run(  # noqa: S603 (this script, run again)
        [sys.executable, __file__, "--worker", command, str(path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"{command} failed on {database_url.split(':')[0]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def worker(command: str, path: Path) -> None:
    """In a process whose DATABASE_URL is a new, empty database."""
    import resource

    _django()
    from io import StringIO

    from django.core.management import call_command

    import datasets.management.base as import_command
    from partnerships.models import Partnership

    call_command("migrate", verbosity=0, interactive=False)
    # The command ends by writing the bulk downloads (build_snapshot), which
    # is not the import: its time is taken apart and shown on its own.
    snapshot: list[float] = []

    def timed(name, *args, **kwargs):
        started = time.perf_counter()
        try:
            return call_command(name, *args, **kwargs)
        finally:
            snapshot.append(time.perf_counter() - started)

    import_command.call_command = timed  # type: ignore[attr-defined]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # The same rows in a file whose bytes differ (as a new download of an
    # unchanged dataset): read and compared row by row.
    reexport = path.with_name(f"reexport-{path.name}")
    reexport.write_bytes(path.read_bytes() + b"\n")
    timings, snapshots = [], []
    for source in (path, path, reexport):
        snapshot.clear()
        started = time.perf_counter()
        call_command(command, str(source), stdout=StringIO())
        snapshots.append(sum(snapshot))
        timings.append(time.perf_counter() - started - snapshots[-1])
        if not timings[1:]:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    records = Partnership.objects.count()
    print(
        json.dumps(
            {
                "first": timings[0],
                "again": timings[1],
                "reexport": timings[2],
                "snapshot_first": snapshots[0],
                "snapshot_again": snapshots[1],
                "records": records,
                "rss_mb": peak / 1024,
                "rss_before_mb": before / 1024,
            }
        )
    )


def fresh_postgres_url(base: str, name: str) -> str:
    """A new database on the server ``base`` names."""
    import psycopg

    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + f"/{name}"


DATASETS = [
    # label, command, file writer, size, encoding
    ("SIPRI register", "import_sipri", write_register, DEALS, "iso-8859-1"),
    ("MME exercises", "import_exercises", write_exercises, EXERCISES, "utf-8"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", 3))
    )
    parser.add_argument("--deals", type=int, default=DEALS)
    parser.add_argument("--exercises", type=int, default=EXERCISES)
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        worker(options.worker[0], Path(options.worker[1]))
        return

    postgres = os.environ.get("DATABASE_URL", "")
    if not postgres.startswith("postgres"):
        postgres = ""
    sizes = {"import_sipri": options.deals, "import_exercises": options.exercises}
    results = []
    with tempfile.TemporaryDirectory(prefix="coopsite-bench-") as name:
        folder = Path(name)
        for label, command, write, _, encoding in DATASETS:
            path = folder / f"{command}.csv"
            write(path, sizes[command])
            size = path.stat().st_size / 1e6
            print(f"{label}: {sizes[command]:,} records, {size:.1f} MB.", flush=True)
            runs: dict[str, list] = {"sqlite floor": [], "sqlite": []}
            runs |= {"postgresql floor": [], "postgresql": []}
            for number in range(options.repeat):
                runs["sqlite floor"].append(
                    median_floor(floor_sqlite, path, encoding, folder)
                )
                database = folder / f"bench-{number}.sqlite3"
                runs["sqlite"].append(
                    import_twice(command, path, f"sqlite:///{database}")
                )
                database.unlink()
                if postgres:
                    url = fresh_postgres_url(postgres, f"coopsite_floor_{number}")
                    runs["postgresql floor"].append(
                        median_floor(floor_postgres, path, encoding, url)
                    )
                    url = fresh_postgres_url(postgres, f"coopsite_bench_{number}")
                    runs["postgresql"].append(import_twice(command, path, url))
                print(f"  run {number + 1} of {options.repeat} done", flush=True)
            results.append((label, command, runs))
    print_table(results, options.repeat)


def print_table(results: list, repeat: int) -> None:
    print(f"\nMedians of {repeat} runs; a ratio is the median of each run's import over "
          "the floor measured in the same run, on its database.")  # fmt: skip
    print(f"Goals (SQLite): first import within {GOALS['first']}×, unchanged within "
          f"{GOALS['again']}×; peak RSS of a first import under {RSS_GOAL_MB} MB.")  # fmt: skip
    print("An import's time leaves out the bulk downloads the command writes after "
          "it (shown below it, not in the ratio).\n")  # fmt: skip
    print(f"{'':54} {'seconds':>8} {'× floor':>8} {'peak RSS':>9} {'runs range':>11}")
    for label, command, runs in results:
        records = runs["sqlite"][0]["records"]
        print(f"{label} ({records:,} records)")
        for backend in ("sqlite", "postgresql"):
            if not runs[backend]:
                print(f"  {backend}: not measured (DATABASE_URL names no PostgreSQL)")
                continue
            floor = statistics.median(runs[f"{backend} floor"])
            name = "sqlite3" if backend == "sqlite" else "psycopg"
            print(
                f"  {f'floor: csv.reader + {name} executemany':52} {floor:8.2f} {1:8.1f}"
            )
            for key, what in (
                ("first", "first, all new"),
                ("again", "again: the same file, recognised"),
                ("reexport", "again: a re-export, every row read"),
            ):
                seconds = statistics.median(r[key] for r in runs[backend])
                rss = (
                    f"{statistics.median(r['rss_mb'] for r in runs[backend]):6.0f} MB"
                    if key == "first"
                    else ""
                )
                # Each run's import over the floor measured just before it,
                # on the same machine in the same minute: the median of
                # those, and their spread (a shared machine's load moves).
                ratios = [
                    r[key] / f
                    for r, f in zip(
                        runs[backend], runs[f"{backend} floor"], strict=True
                    )
                ]
                spread = f"{min(ratios):.1f}-{max(ratios):.1f}"
                print(f"  {f'{command}, {backend}: {what}':52} {seconds:8.2f} "
                      f"{statistics.median(ratios):8.1f} {rss:>9} {spread:>11}")  # fmt: skip
            for key, what in (("snapshot_first", "first"), ("snapshot_again", "again")):
                seconds = statistics.median(r[key] for r in runs[backend])
                print(f"  {f'  then the downloads (build_snapshot), {what}':52} "
                      f"{seconds:8.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
