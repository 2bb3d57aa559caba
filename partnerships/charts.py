"""The pictures: a network of countries, a timeline, a partners chart.

Each function computes what to draw (shapes and coordinates) from the
records; the templates draw it as server-rendered SVG that needs no script
and no outside service, and each picture comes with the same figures as a
table. Colours come from the stylesheet, by class.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum

from .models import Country, CountryLink, Partnership, PartnershipKind

PARTNERS_SHOWN = 12

# --- Partners of a country: horizontal bars -------------------------------------


@dataclass
class Bar:
    label: str
    url: str
    value: int
    y: float
    width: float


def partners_chart(country: Country, partners: list[dict]) -> dict | None:
    """``partners``: dicts with country__name, country__slug and total."""
    if not partners:
        return None
    row, label_width, bar_width = 26, 190, 360
    largest = max(p["total"] for p in partners)
    bars = [
        Bar(
            label=p["country__name"],
            url=Country(
                slug=p["country__slug"], entity_type="country"
            ).get_absolute_url(),
            value=p["total"],
            y=index * row,
            width=max(2.0, bar_width * p["total"] / largest),
        )
        for index, p in enumerate(partners)
    ]
    return {
        "bars": bars,
        "row": row,
        "label_width": label_width,
        "width": label_width + bar_width + 50,
        "height": len(bars) * row,
        "title": f"Countries that most often take part in partnerships with {country.name}",
    }


# --- Network of countries ----------------------------------------------------


@dataclass
class Node:
    name: str
    url: str
    partnerships: int
    partners: int
    x: float = 0.0
    y: float = 0.0
    r: float = 3.0
    labelled: bool = False
    label_y: float = 0.0


@dataclass
class Edge:
    source: Node
    target: Node
    weight: int
    path: str = ""
    width: float = 1.0


@dataclass
class Network:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    pairs: list[Edge] = field(default_factory=list)  # for the table: the strongest
    partnership_count: int = 0
    width: int = 960
    height: int = 480
    graticule: list[tuple[float, float, float, float]] = field(default_factory=list)

    @property
    def shown_edges(self) -> int:
        return len(self.edges)


# The map: longitude -170..190 and latitude 80..-58 on an equirectangular grid.
_WEST, _EAST, _NORTH, _SOUTH = -170.0, 190.0, 80.0, -58.0


def _project(
    latitude: float, longitude: float, width: int, height: int
) -> tuple[float, float]:
    if longitude < _WEST:
        longitude += 360
    x = (longitude - _WEST) / (_EAST - _WEST) * width
    y = (_NORTH - latitude) / (_NORTH - _SOUTH) * height
    return round(min(max(x, 6), width - 6), 1), round(min(max(y, 6), height - 6), 1)


def network(
    links: QuerySet[CountryLink], *, max_nodes: int = 90, max_edges: int = 260
) -> Network:
    """Countries linked by the partnerships they share, placed by where they
    are on a map; the strongest links and best-connected countries first.

    ``links``: rows of the pre-aggregated table, already narrowed to the
    kinds and years asked for; summed here over what is left."""
    weights: Counter[tuple[int, int]] = Counter()
    involvement: Counter[int] = Counter()
    total = 0
    rows = (
        links.order_by()
        .values_list("country_a", "country_b")
        .annotate(weight=Sum("partnerships"))
    )
    for a, b, weight in rows:
        if a is None:
            total += weight
        elif a == b:
            involvement[a] += weight
        else:
            weights[(a, b)] += weight
    result = Network(partnership_count=total)
    if not weights:
        return result
    partner_counts: Counter[int] = Counter()
    for a, b in weights:
        partner_counts[a] += 1
        partner_counts[b] += 1
    top = [country_id for country_id, _ in involvement.most_common(max_nodes)]
    countries = Country.objects.only(
        "name", "slug", "entity_type", "latitude", "longitude"
    ).in_bulk(top)
    nodes: dict[int, Node] = {}
    largest = max(involvement[c] for c in top)
    for country_id in top:
        country = countries[country_id]
        node = Node(
            name=country.name,
            url=country.get_absolute_url(),
            partnerships=involvement[country_id],
            partners=partner_counts[country_id],
            r=round(3 + 11 * math.sqrt(involvement[country_id] / largest), 1),
        )
        node.x, node.y = _project(
            country.latitude or 0.0,
            country.longitude or 0.0,
            result.width,
            result.height,
        )
        nodes[country_id] = node
    result.nodes = sorted(nodes.values(), key=lambda n: n.r, reverse=True)
    _place_labels(result.nodes, result.width)
    result.graticule = _graticule(result.width, result.height)
    strongest = [
        (pair, weight)
        for pair, weight in weights.most_common()
        if pair[0] in nodes and pair[1] in nodes
    ]
    heaviest = strongest[0][1] if strongest else 1
    for (a, b), weight in strongest[:max_edges]:
        edge = Edge(nodes[a], nodes[b], weight)
        edge.width = round(0.6 + 4.4 * math.sqrt(weight / heaviest), 2)
        edge.path = _arc(nodes[a], nodes[b])
        result.edges.append(edge)
    result.edges.reverse()  # draw the heaviest last, on top
    result.pairs = [Edge(nodes[a], nodes[b], w) for (a, b), w in strongest[:50]]
    return result


def _place_labels(nodes: list[Node], width: int, limit: int = 40) -> None:
    """Label the largest nodes, above or below, wherever a label would not
    cover another one."""
    taken: list[tuple[float, float, float, float]] = []
    for node in nodes[:limit]:
        half = 3.3 * len(node.name)
        for y in (node.y - node.r - 4, node.y + node.r + 12):
            box = (node.x - half, y - 11, node.x + half, y + 2)
            inside = box[0] >= 0 and box[2] <= width and box[1] >= 0
            if inside and not any(_overlap(box, other) for other in taken):
                node.labelled, node.label_y = True, round(y, 1)
                taken.append(box)
                break


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _graticule(width: int, height: int) -> list[tuple[float, float, float, float]]:
    """Faint lines every 30 degrees, to give the picture a sense of place."""
    lines = []
    for longitude in range(-150, 181, 30):
        x, _ = _project(0, longitude, width, height)
        lines.append((x, 0.0, x, float(height)))
    for latitude in (60, 30, 0, -30):
        _, y = _project(latitude, 0, width, height)
        lines.append((0.0, y, float(width), y))
    return lines


def _arc(a: Node, b: Node) -> str:
    """A gentle curve from a to b, bending to one side."""
    mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
    dx, dy = b.x - a.x, b.y - a.y
    cx, cy = mx - dy * 0.18, my + dx * 0.18
    return f"M{a.x},{a.y} Q{cx:.1f},{cy:.1f} {b.x},{b.y}"


# --- Timeline: partnerships per year, by kind ----------------------------------


@dataclass
class Segment:
    kind: str
    label: str
    count: int
    y: float
    height: float


@dataclass
class YearColumn:
    year: int
    total: int
    x: float
    segments: list[Segment]
    labelled: bool


def timeline(partnerships: QuerySet[Partnership]) -> dict:
    rows = (
        partnerships.filter(start_date__isnull=False)
        .values_list("start_date__year", "kind")
        .annotate(total=Count("pk", distinct=True))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for year, kind, total in rows:
        counts[year][kind] = total
    labels = dict(PartnershipKind.choices)
    if not counts:
        return {"columns": [], "kinds": [], "table": []}
    first, last = min(counts), max(counts)
    years = list(range(first, last + 1))
    totals = {year: sum(counts.get(year, {}).values()) for year in years}
    largest = max(totals.values())
    step = _nice_step(largest)
    top = math.ceil(largest / step) * step
    plot_width, plot_height, left, bottom = 900, 300, 46, 24
    slot = plot_width / len(years)
    bar = max(2.0, min(28.0, slot * 0.75))
    label_every = max(1, math.ceil(len(years) / 16))
    kinds_present = [
        k for k in PartnershipKind.values if any(k in c for c in counts.values())
    ]
    columns = []
    for index, year in enumerate(years):
        y: float = plot_height
        segments = []
        for kind in kinds_present:
            count = counts.get(year, {}).get(kind, 0)
            if not count:
                continue
            height = plot_height * count / top
            y -= height
            segments.append(
                Segment(kind, labels[kind], count, round(y, 2), round(height, 2))
            )
        columns.append(
            YearColumn(
                year=year,
                total=totals[year],
                x=round(left + index * slot + (slot - bar) / 2, 2),
                segments=segments,
                labelled=(year - first) % label_every == 0,
            )
        )
    ticks = [
        {"value": value, "y": round(plot_height - plot_height * value / top, 2)}
        for value in range(0, top + 1, step)
    ]
    return {
        "columns": columns,
        "first_year": first,
        "last_year": last,
        "bar": round(bar, 2),
        "slot": slot,
        "kinds": [(k, labels[k]) for k in kinds_present],
        "ticks": ticks,
        "left": left,
        "plot_width": plot_width,
        "plot_height": plot_height,
        "width": left + plot_width + 10,
        "height": plot_height + bottom + 24,
        "table": [
            (
                year,
                [counts.get(year, {}).get(k, 0) for k in kinds_present],
                totals[year],
            )
            for year in years
            if totals[year]
        ],
    }


def _nice_step(largest: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if largest / step <= 6:
            return step
    return 10_000
