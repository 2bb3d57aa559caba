"""A faint world map under the network: country outlines, projected and
drawn as one SVG path on the server.

The outlines come with countryinfo, which the reference data already uses:
each country's ``geoJSON`` is johan/world.geo.json, Natural Earth's
1:110m admin-0 countries (public domain; world.geo.json is UNLICENSE,
countryinfo MIT). Former states have no outline of their own; small island
states have none at that scale. The outlines are read once per process and
each projection is kept (``lru_cache``), so a page pays for neither.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

Ring = tuple[tuple[float, float], ...]  # (longitude, latitude) points

# The map's longitudes run from here eastwards through 360 degrees, so the
# Pacific is its edge and Chukotka and the Aleutians sit at the right.
WEST = -170.0


@dataclass(frozen=True)
class Frame:
    """An equirectangular view: ``scale`` pixels per degree, the top-left
    corner at (``west``, ``north``), ``width`` × ``height`` pixels."""

    west: float
    north: float
    scale: float
    width: int
    height: int

    def project(self, latitude: float, longitude: float) -> tuple[float, float]:
        if longitude < WEST:
            longitude += 360
        return (
            (longitude - self.west) * self.scale,
            (self.north - latitude) * self.scale,
        )

    @classmethod
    def fitting(
        cls,
        points: list[tuple[float, float]],
        *,
        width: int,
        max_height: int,
        margin: float = 12.0,
        min_span: float = 50.0,
    ) -> Frame:
        """The closest view that holds every (latitude, longitude) point with
        ``margin`` degrees around, ``width`` pixels wide and no taller than
        ``max_height`` (never zoomed in closer than ``min_span`` degrees)."""
        longitudes = [lon + 360 if lon < WEST else lon for _, lon in points] or [0.0]
        latitudes = [lat for lat, _ in points] or [0.0]
        west, east = min(longitudes) - margin, max(longitudes) + margin
        north = min(max(latitudes) + margin, 84.0)
        south = max(min(latitudes) - margin, -60.0)
        span = max(east - west, min_span, (north - south) * width / max_height)
        span = min(span, 360.0)
        middle = (west + east) / 2
        west = max(WEST, min(middle - span / 2, WEST + 360 - span))
        scale = width / span
        height = min(max_height, math.ceil((north - south) * scale))
        # Centre the points vertically in what the height leaves.
        north = min(84.0, (north + south) / 2 + height / scale / 2)
        return cls(round(west, 3), round(north, 3), round(scale, 5), width, height)


@lru_cache(maxsize=1)
def outlines() -> tuple[Ring, ...]:
    """Every outer and inner ring of every country countryinfo outlines."""
    from countryinfo import CountryInfo

    rings: list[Ring] = []
    for info in CountryInfo.all().values():
        for feature in (info.get("geoJSON") or {}).get("features", []):
            geometry = feature.get("geometry") or {}
            polygons = geometry.get("coordinates", [])
            if geometry.get("type") == "Polygon":
                polygons = [polygons]
            for polygon in polygons:
                for ring in polygon:
                    points = tuple((float(lon), float(lat)) for lon, lat, *_ in ring)
                    # A ring wholly west of the map's edge moves to its east.
                    if all(lon < WEST + 1 for lon, _ in points):
                        points = tuple((lon + 360, lat) for lon, lat in points)
                    rings.append(points)
    return tuple(rings)


@lru_cache(maxsize=32)
def land_path(frame: Frame) -> str:
    """The outlines in ``frame`` as SVG path data, simplified to what a
    pixel can show: rings smaller than a pixel or two left out, points
    closer than half a pixel to the line through their neighbours dropped,
    coordinates in whole pixels."""
    parts = []
    for ring in outlines():
        points = [_project(frame, lon, lat) for lon, lat in ring]
        xs = [x for x, _ in points]
        ys = [y for _, y in points]
        if max(xs) - min(xs) < 2 and max(ys) - min(ys) < 2:
            continue
        if (
            max(xs) < 0
            or min(xs) > frame.width
            or max(ys) < 0
            or min(ys) > frame.height
        ):
            continue
        kept = _simplify(points, 0.5)
        if len(kept) < 3:
            continue
        rounded = [(round(x), round(y)) for x, y in kept]
        deduplicated = [
            p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]
        ]
        if len(deduplicated) < 3:
            continue
        first, *rest = deduplicated
        parts.append(
            f"M{first[0]} {first[1]}"
            + "".join(
                f"l{x - px} {y - py}"
                for (px, py), (x, y) in zip(deduplicated, rest, strict=False)
            )
            + "z"
        )
    return "".join(parts)


def _project(frame: Frame, longitude: float, latitude: float) -> tuple[float, float]:
    return (
        (longitude - frame.west) * frame.scale,
        (frame.north - latitude) * frame.scale,
    )


def _simplify(
    points: list[tuple[float, float]], tolerance: float
) -> list[tuple[float, float]]:
    """Ramer–Douglas–Peucker, iteratively."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        farthest, distance = None, tolerance
        for index in range(first + 1, last):
            px, py = points[index]
            if length:
                d = abs(dy * (px - ax) - dx * (py - ay)) / length
            else:
                d = math.hypot(px - ax, py - ay)
            if d > distance:
                farthest, distance = index, d
        if farthest is not None:
            keep[farthest] = True
            stack.extend(((first, farthest), (farthest, last)))
    return [p for p, k in zip(points, keep, strict=True) if k]
