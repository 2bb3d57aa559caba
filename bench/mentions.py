"""Benchmark: mention detection cost against the number of known names.

Finds the names in one 10,000-word text with 1,000, 10,000 and 100,000
names known, using coopsite's detector (an Aho–Corasick automaton) and, as a
baseline, one regular expression that alternates all the names (whole
words, case-insensitive, longest first). Everything is measured in this one
run, interleaved, and reported as medians and ratios, so a noisy machine
moves both sides alike.

Goals (from the linking issue): the detector's time stays within ±25% from
1,000 to 100,000 names, and is at least 10× faster than the regex baseline
at 10,000 names. Exits non-zero if either is missed.

    make bench-mentions            # or: python bench/mentions.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopsite.settings.local")

import django

django.setup()

from partnerships.mentions import MentionDetector

SIZES = (1_000, 10_000, 100_000)
TEXT_WORDS = 10_000
SYLLABLES = (
    "ka ra to mi sen dor vel an qu zi lo ben tar ox ul ve ny sha pe gor "
    "al bri cas del fen gri hal ix jor kel"
).split()
FILLER = (
    "the of and to in a that is for on with as by at from defence industry "
    "cooperation partnership export system its their was were has have this "
    "which programme agreement signed delivered ordered built navy army air "
    "force ministry company joint development technology transfer research "
    "training exercise trade deal contract units aircraft vessels radar drone "
    "missile howitzer corvette fighter trainer production local licence years"
).split()


def make_names(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct made-up names of one to three capitalised words."""

    def word() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))

    names: dict[str, None] = {}
    while len(names) < count:
        names[" ".join(word().capitalize() for _ in range(rng.randint(1, 3)))] = None
    return list(names)


def make_text(names: list[str], rng: random.Random) -> str:
    """10,000 words of filler in which about one word in forty starts a name
    drawn from the first 1,000 names (known at every size)."""
    words: list[str] = []
    while len(words) < TEXT_WORDS:
        if rng.random() < 0.025:
            words.extend(rng.choice(names[:1_000]).split())
        else:
            words.append(rng.choice(FILLER))
        if rng.random() < 0.06:
            words[-1] += "."
    return " ".join(words[:TEXT_WORDS])


def regex_for(names: list[str]) -> re.Pattern:
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15, help="detector runs per size")
    parser.add_argument(
        "--regex-budget",
        type=float,
        default=20.0,
        help="seconds of regex matching allowed per size (at least one run)",
    )
    args = parser.parse_args()

    rng = random.Random(20261123)
    names = make_names(max(SIZES), rng)
    text = make_text(names, rng)
    print(
        f"Text: {len(text.split()):,} words, {len(text):,} characters. "
        f"Python {sys.version.split()[0]}.",
        flush=True,
    )

    detectors, builds, regexes, compiles = {}, {}, {}, {}
    for size in SIZES:
        builds[size], detectors[size] = timed(
            lambda size=size: MentionDetector(enumerate(names[:size]))
        )
        compiles[size], regexes[size] = timed(lambda size=size: regex_for(names[:size]))

    detector_times: dict[int, list[float]] = {size: [] for size in SIZES}
    found: dict[int, int] = {}
    for _ in range(args.repeat):  # interleaved: noise hits every size alike
        for size in SIZES:
            seconds, mentions = timed(lambda size=size: detectors[size].find(text))
            detector_times[size].append(seconds)
            found[size] = len({(m.start, m.end) for m in mentions})

    regex_times: dict[int, list[float]] = {}
    regex_found: dict[int, int] = {}
    for size in SIZES:
        seconds, matches = timed(lambda size=size: regexes[size].findall(text))
        regex_times[size], regex_found[size] = [seconds], len(matches)
        runs = max(1, min(5, int(args.regex_budget / max(seconds, 1e-9))))
        for _ in range(runs - 1):
            regex_times[size].append(
                timed(lambda size=size: regexes[size].findall(text))[0]
            )

    detector_ms = {s: statistics.median(t) * 1000 for s, t in detector_times.items()}
    regex_ms = {s: statistics.median(t) * 1000 for s, t in regex_times.items()}
    base = detector_ms[SIZES[0]]

    print()
    header = (
        f"{'names':>9} | {'build':>8} | {'detector':>9} | {'vs 1k':>6} | "
        f"{'regex':>11} | {'regex build':>11} | {'speed-up':>9} | {'found':>13}"
    )
    print(header)
    print("-" * len(header))
    for size in SIZES:
        print(
            f"{size:>9,} | {builds[size]:>7.2f}s | {detector_ms[size]:>7.2f}ms | "
            f"{detector_ms[size] / base:>6.2f} | {regex_ms[size]:>9,.0f}ms | "
            f"{compiles[size]:>10.2f}s | {regex_ms[size] / detector_ms[size]:>8,.0f}× | "
            f"{found[size]:>5} / {regex_found[size]:<5}"
        )
    print(
        f"\nDetector: median of {args.repeat} runs per size; regex: median of "
        f"{', '.join(str(len(regex_times[s])) for s in SIZES)} runs."
    )

    spread = max(abs(detector_ms[s] / base - 1) for s in SIZES)
    speedup = regex_ms[10_000] / detector_ms[10_000]
    flat = spread <= 0.25
    fast = speedup >= 10
    print(
        f"Flat from 1k to 100k names (within ±25%): {'yes' if flat else 'NO'} "
        f"(largest change {spread:+.0%})."
    )
    print(
        f"At least 10× faster than the regex at 10k names: {'yes' if fast else 'NO'} "
        f"({speedup:,.0f}×)."
    )
    same = all(found[s] == regex_found[s] for s in SIZES)
    print(f"Both find the same mentions: {'yes' if same else 'NO'}.")
    return 0 if flat and fast and same else 1


if __name__ == "__main__":
    sys.exit(main())
