"""Rebuild partnerships/data/country_names.tsv from a countrynames wheel.

The country resolver's last resort is OpenSanctions' list of country-name
spellings (MIT licence), shipped in the ``countrynames`` package. That package
normalises names with PyICU, which has no wheels and needs a C++ compiler and
the ICU headers to install; so the project keeps the list as a data file and
reads it with its own normalisation (``partnerships.resolver.spelling_key``).

This script reads the list out of a countrynames wheel without importing the
package (the wheel's ``countrynames/data.py`` holds only literal assignments,
read with ``ast.literal_eval``) and writes the TSV: one ``CODE<TAB>name`` a
line, sorted, duplicates dropped (names that read the same after
normalisation), and names two codes share dropped with a warning (the
resolver never guesses). The ``FAIL`` list (names that are no country, such
as "Other") is dropped: what is not listed resolves to nothing anyway.

To update the list::

    pip download --no-deps --only-binary=:all: countrynames==VERSION -d /tmp/cn
    .venv/bin/python scripts/build_country_names.py /tmp/cn/countrynames-*.whl
    git diff --stat partnerships/data/country_names.tsv
"""

from __future__ import annotations

import ast
import re
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from partnerships.resolver import spelling_key  # noqa: E402

OUTPUT = ROOT / "partnerships" / "data" / "country_names.tsv"
SKIPPED_CODES = {"FAIL"}
WHEEL_NAME = re.compile(r"countrynames-(?P<version>[^-]+)-")


def read_wheel(path: Path) -> tuple[str, dict[str, list[str]], str]:
    """The version, the names by code and the licence text in the wheel."""
    match = WHEEL_NAME.match(path.name)
    if not match:
        raise SystemExit(f"{path.name} is not a countrynames wheel")
    with zipfile.ZipFile(path) as wheel:
        source = wheel.read("countrynames/data.py").decode("utf-8")
        licence_name = next(
            name for name in wheel.namelist() if name.endswith("LICENSE")
        )
        licence = wheel.read(licence_name).decode("utf-8")
    data: dict[str, list[str]] = defaultdict(list)
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript):
            code = ast.literal_eval(node.targets[0].slice)
            data[code.strip().upper()].extend(ast.literal_eval(node.value))
    return match["version"], dict(data), licence


def name_table(data: dict[str, list[str]]) -> tuple[list[tuple[str, str]], set[str]]:
    """(code, name) rows, one per normalised key, and the keys two codes share."""
    codes_by_key: dict[str, set[str]] = defaultdict(set)
    first_spelling: dict[tuple[str, str], str] = {}
    for code, names in data.items():
        if code in SKIPPED_CODES:
            continue
        for name in names:
            key = spelling_key(name)
            if not key:
                continue
            codes_by_key[key].add(code)
            first_spelling.setdefault((code, key), name.strip())
    shared = {key for key, codes in codes_by_key.items() if len(codes) > 1}
    rows = sorted(
        (code, spelling)
        for (code, key), spelling in first_spelling.items()
        if key not in shared
    )
    return rows, shared


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    version, data, licence = read_wheel(Path(argv[0]))
    rows, shared = name_table(data)
    for key in sorted(shared):
        print(f"dropped, shared by several codes: {key}", file=sys.stderr)
    header = [
        f"Country-name spellings from countrynames {version} (OpenSanctions),",
        "rebuilt by scripts/build_country_names.py; do not edit by hand.",
        "One CODE<TAB>name a line: ISO 3166-1 alpha-2 or ISO 3166-3 alpha-4",
        "(former states), or a code the resolver does not hold (ignored).",
        "",
        *licence.strip().splitlines(),
    ]
    lines = [f"# {line}".rstrip() for line in header]
    lines += [f"{code}\t{name}" for code, name in rows]
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(rows)} names for {len({c for c, _ in rows})} codes -> {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
