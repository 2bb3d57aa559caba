"""Placing labels beside points without overlap: a greedy collision pass.

Each point, most important first, tries the places beside it (right, left,
above, below, the diagonals), then places further out joined to it by a
leader line; the first place that stays inside the picture and clear of
every label, leader line and point already there is taken. A point with no
free place goes unlabelled (the table beside the picture lists it).

Labels are drawn with ``textLength`` set to the width estimated here, so
the box the browser draws is the box that was checked, whatever the font.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

# Advance widths in em of a common sans-serif (Helvetica/Arial metrics,
# widened a little towards DejaVu Sans, the widest usual fallback).
_WIDTHS = {
    **dict.fromkeys("ijl'|", 0.24),
    **dict.fromkeys("fIt!.,:;()- ", 0.31),
    **dict.fromkeys("r", 0.36),
    **dict.fromkeys("sJcz", 0.52),
    **dict.fromkeys("abdeghknopquvxy", 0.58),
    **dict.fromkeys("w", 0.78),
    **dict.fromkeys("m", 0.86),
    **dict.fromkeys("FLTZ", 0.64),
    **dict.fromkeys("ABEKPSVXY", 0.70),
    **dict.fromkeys("CDHNRU", 0.76),
    **dict.fromkeys("GOQ", 0.80),
    **dict.fromkeys("M", 0.88),
    **dict.fromkeys("W", 1.0),
}
_WIDEN = 1.06
_ASCENT, _DESCENT = 0.95, 0.27  # of the font size, above and below the baseline


def text_width(text: str, size: float) -> float:
    total = 0.0
    for char in text:
        base = unicodedata.normalize("NFD", char)[0]
        total += _WIDTHS.get(base, 0.62)
    return round(total * _WIDEN * size, 1)


Box = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass
class Point:
    x: float
    y: float
    r: float
    text: str


@dataclass
class Placed:
    """A label: ``x``/``y`` is where its text starts, on the baseline;
    ``leader`` is the line from the point to it, if it sits away."""

    x: float
    y: float
    width: float
    box: Box
    leader: tuple[float, float, float, float] | None = None


def place_labels(
    points: list[Point],
    *,
    width: float,
    height: float,
    size: float,
) -> list[Placed | None]:
    """A place for each point's label, or None; ``points`` most important
    first."""
    obstacles: list[Box] = [
        (p.x - p.r - 1, p.y - p.r - 1, p.x + p.r + 1, p.y + p.r + 1) for p in points
    ]
    taken: list[Box] = []
    leaders: list[tuple[float, float, float, float]] = []
    bounds = (2.0, 2.0, width - 2.0, height - 2.0)
    result: list[Placed | None] = []
    for index, point in enumerate(points):
        label_width = text_width(point.text, size)
        others = obstacles[:index] + obstacles[index + 1 :]
        chosen = next(
            (
                candidate
                for candidate in _candidates(point, label_width, size)
                if _free(candidate, bounds, taken, others, leaders)
            ),
            None,
        )
        if chosen:
            taken.append(_grow(chosen.box, 1.5))
            if chosen.leader:
                leaders.append(chosen.leader)
        result.append(chosen)
    return result


def _free(
    candidate: Placed,
    bounds: Box,
    taken: list[Box],
    obstacles: list[Box],
    leaders: list[tuple[float, float, float, float]],
) -> bool:
    """Inside the picture, clear of the labels, points and leader lines
    already there, and its own leader line crossing no label and no point."""
    box = candidate.box
    return (
        _inside(box, bounds)
        and not any(_overlap(box, other) for other in taken)
        and not any(_overlap(box, other) for other in obstacles)
        and not any(_crosses(line, box) for line in leaders)
        and not (
            candidate.leader
            and any(_crosses(candidate.leader, other) for other in (*taken, *obstacles))
        )
    )


def _candidates(point: Point, width: float, size: float):
    x, y, r = point.x, point.y, point.r
    up, down = _ASCENT * size, _DESCENT * size
    middle = (up - down) / 2  # baseline offset that centres the text on y
    gap = 3.0

    def at(left: float, baseline: float, leader=None) -> Placed:
        box = (left, baseline - up, left + width, baseline + down)
        return Placed(round(left, 1), round(baseline, 1), width, box, leader)

    diagonal = r * 0.72 + gap
    yield at(x + r + gap, y + middle)  # right
    yield at(x - r - gap - width, y + middle)  # left
    yield at(x - width / 2, y - r - gap - down)  # above
    yield at(x - width / 2, y + r + gap + up)  # below
    yield at(x + diagonal, y - diagonal - down)  # above right
    yield at(x - diagonal - width, y - diagonal - down)  # above left
    yield at(x + diagonal, y + diagonal + up)  # below right
    yield at(x - diagonal - width, y + diagonal + up)  # below left
    for reach in (12, 22, 34, 48):
        for step in range(16):
            angle = math.pi * 2 * step / 16
            cos, sin = math.cos(angle), math.sin(angle)
            ex, ey = x + (r + reach) * cos, y + (r + reach) * sin
            leader = (
                round(x + r * cos, 1),
                round(y + r * sin, 1),
                round(ex, 1),
                round(ey, 1),
            )
            if cos > 0.35:
                yield at(ex + 1, ey + middle, leader)
            elif cos < -0.35:
                yield at(ex - 1 - width, ey + middle, leader)
            elif sin < 0:
                yield at(ex - width / 2, ey - 1 - down, leader)
            else:
                yield at(ex - width / 2, ey + 1 + up, leader)


def _inside(box: Box, bounds: Box) -> bool:
    return (
        box[0] >= bounds[0]
        and box[1] >= bounds[1]
        and box[2] <= bounds[2]
        and box[3] <= bounds[3]
    )


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _grow(box: Box, by: float) -> Box:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def _crosses(line: tuple[float, float, float, float], box: Box) -> bool:
    """Whether the segment passes through the box (sampled finely enough
    for lines tens of units long and boxes over ten units tall)."""
    x1, y1, x2, y2 = line
    steps = max(2, int(math.hypot(x2 - x1, y2 - y1) / 3))
    for i in range(steps + 1):
        t = i / steps
        px, py = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
        if box[0] < px < box[2] and box[1] < py < box[3]:
            return True
    return False
