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

from .basemap import Frame, land_path
from .labels import Placed, Point, place_labels, text_width
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
    """``partners``: dicts with name, slug and total (CountryLink.objects.partners_of)."""
    if not partners:
        return None
    row, label_width, bar_width = 26, 190, 360
    largest = max(p["total"] for p in partners)
    bars = [
        Bar(
            label=p["name"],
            url=Country(slug=p["slug"], entity_type="country").get_absolute_url(),
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
class CountryTies:
    """What the network is drawn from: for each pair of countries (lower id
    first) the number of partnerships they share, for each country the
    partnerships it shares with at least one other country and how many
    countries those are, and the partnerships between two countries or
    more."""

    pairs: dict[tuple[int, int], int]
    countries: dict[int, tuple[int, int]]  # id: (partnerships, partners)
    partnerships: int = 0


def country_ties(links: QuerySet[CountryLink]) -> CountryTies:
    """The one place the network reads its ties from: the pre-aggregated
    table (``CountryLink``), already narrowed to the kinds and years asked
    for, summed in one grouped query over what is left."""
    rows = (
        links.order_by()
        .values_list("country_a", "country_b")
        .annotate(total=Sum("partnerships"))
    )
    pairs: dict[tuple[int, int], int] = {}
    shared: dict[int, int] = {}
    partners: Counter[int] = Counter()
    total = 0
    for a, b, weight in rows:
        if a is None:
            total += weight
        elif a == b:
            shared[a] = weight
        else:
            pairs[(a, b)] = weight
            partners[a] += 1
            partners[b] += 1
    countries = {pk: (shared.get(pk, 0), partners[pk]) for pk in partners}
    return CountryTies(pairs, countries, total)


@dataclass
class Node:
    name: str
    url: str
    partnerships: int
    partners: int
    rank: int
    latitude: float
    longitude: float


@dataclass
class PlacedNode:
    node: Node
    x: float
    y: float
    r: float
    label: Placed | None = None


@dataclass
class Edge:
    source: Node
    target: Node
    weight: int
    path: str = ""
    width: float = 1.0


@dataclass
class NetworkLayout:
    """One drawing of the network, for one range of screen widths."""

    name: str
    width: int
    height: int
    font_size: float
    land: str
    nodes: list[PlacedNode]
    edges: list[Edge]

    @property
    def labelled(self) -> int:
        return sum(1 for n in self.nodes if n.label)

    @property
    def strokes(self) -> list[tuple[float, str]]:
        """The edges as a few SVG paths, one per line width (to the nearest
        half unit), thinnest first so that the heaviest are drawn on top: a
        handful of elements however many links are drawn."""
        paths: dict[float, list[str]] = defaultdict(list)
        for edge in self.edges:
            paths[max(0.5, round(edge.width * 2) / 2)].append(edge.path)
        return [(width, "".join(paths[width])) for width in sorted(paths)]


@dataclass
class Network:
    countries: list[Node] = field(default_factory=list)  # every one, ranked
    pairs: list[Edge] = field(default_factory=list)  # the strongest, for the table
    link_count: int = 0
    partnership_count: int = 0
    layouts: list[NetworkLayout] = field(default_factory=list)

    @property
    def nodes(self) -> list[Node]:
        """The countries drawn in the widest layout."""
        return [placed.node for placed in self.layouts[0].nodes] if self.layouts else []

    @property
    def shown_edges(self) -> int:
        return len(self.layouts[0].edges) if self.layouts else 0


# The map, shown from 60rem up: how wide (in its own units), how tall at
# most, how many countries and links, the largest node's radius, the label
# size (13 units: 12 px or more wherever it is shown).
MAP = {"width": 960, "max_height": 420, "nodes": 40, "edges": 160, "radius": 14,
       "font_size": 13}  # fmt: skip
# The ranked arcs, below 60rem: one row per country, labels in a column,
# drawn at most as many pixels wide as it has units (12 px labels on a phone).
ARCS = {"width": 360, "row": 24, "nodes": 16, "edges": 40, "font_size": 12}
TABLE_PAIRS = 50


def network(links: QuerySet[CountryLink]) -> Network:
    """Countries linked by the partnerships they share: the best-connected
    countries and their strongest links, placed on a world map and, for
    narrow screens, in ranked rows; every country is in the table.

    ``links``: rows of the pre-aggregated table, already narrowed to the
    kinds and years asked for."""
    ties = country_ties(links)
    if not ties.pairs:
        return Network()
    records = Country.objects.filter(pk__in=ties.countries).only(
        "name", "slug", "entity_type", "latitude", "longitude"
    )
    ranked = sorted(
        records,
        key=lambda c: (-ties.countries[c.pk][0], -ties.countries[c.pk][1], c.name),
    )
    nodes = {}
    for rank, country in enumerate(ranked, start=1):
        shared, partners = ties.countries[country.pk]
        nodes[country.pk] = Node(
            name=country.name,
            url=country.get_absolute_url(),
            partnerships=shared,
            partners=partners,
            rank=rank,
            latitude=country.latitude or 0.0,
            longitude=country.longitude or 0.0,
        )
    strongest = sorted(
        ties.pairs.items(),
        key=lambda item: (-item[1], nodes[item[0][0]].rank, nodes[item[0][1]].rank),
    )
    return Network(
        countries=list(nodes.values()),
        partnership_count=ties.partnerships,
        pairs=[Edge(nodes[a], nodes[b], w) for (a, b), w in strongest[:TABLE_PAIRS]],
        link_count=len(ties.pairs),
        layouts=[
            _map_layout(list(nodes.items()), strongest),
            _arcs_layout(list(nodes.items()), strongest),
        ],
    )


def _drawn_edges(shown: dict, strongest, limit: int) -> list[tuple[int, int, int]]:
    return [
        (a, b, weight) for (a, b), weight in strongest if a in shown and b in shown
    ][:limit]


def _map_layout(nodes: list[tuple[int, Node]], strongest) -> NetworkLayout:
    shown = dict(nodes[: MAP["nodes"]])
    frame = Frame.fitting(
        [(n.latitude, n.longitude) for n in shown.values()],
        width=MAP["width"],
        max_height=MAP["max_height"],
    )
    largest = max(n.partnerships for n in shown.values())
    placed: dict[int, PlacedNode] = {}
    for pk, node in shown.items():
        x, y = frame.project(node.latitude, node.longitude)
        r = 2.5 + (MAP["radius"] - 2.5) * math.sqrt(node.partnerships / largest)
        placed[pk] = PlacedNode(node, round(x, 1), round(y, 1), round(r, 1))
    points = [Point(p.x, p.y, p.r, p.node.name) for p in placed.values()]
    labels = place_labels(
        points, width=frame.width, height=frame.height, size=MAP["font_size"]
    )
    for placed_node, label in zip(placed.values(), labels, strict=True):
        placed_node.label = label
    drawn = _drawn_edges(shown, strongest, MAP["edges"])
    heaviest = drawn[0][2] if drawn else 1
    edges = []
    for a, b, weight in reversed(drawn):  # the heaviest drawn last, on top
        edge = Edge(placed[a].node, placed[b].node, weight)
        edge.width = round(0.6 + 3.4 * math.sqrt(weight / heaviest), 2)
        edge.path = _arc(placed[a], placed[b])
        edges.append(edge)
    return NetworkLayout(
        name="map",
        width=frame.width,
        height=frame.height,
        font_size=MAP["font_size"],
        land=land_path(frame),
        nodes=sorted(placed.values(), key=lambda p: p.r, reverse=True),
        edges=edges,
    )


def _arcs_layout(nodes: list[tuple[int, Node]], strongest) -> NetworkLayout:
    """The countries in ranked rows, labels on the left, each link an arc
    on the right from one row to another."""
    shown = dict(nodes[: ARCS["nodes"]])
    row, size, width = ARCS["row"], ARCS["font_size"], ARCS["width"]
    label_width = max(text_width(n.name, size) for n in shown.values())
    x = min(label_width + 14, width / 2)
    largest = max(n.partnerships for n in shown.values())
    placed: dict[int, PlacedNode] = {}
    for index, (pk, node) in enumerate(shown.items()):
        y = row * index + row / 2
        r = 2.5 + 4.5 * math.sqrt(node.partnerships / largest)
        label_x = x - 8 - text_width(node.name, size)
        placed[pk] = PlacedNode(
            node,
            round(x, 1),
            y,
            round(r, 1),
            Placed(
                round(label_x, 1),
                round(y + size * 0.34, 1),
                text_width(node.name, size),
                (label_x, y - size * 0.6, x - 8, y + size * 0.6),
            ),
        )
    drawn = _drawn_edges(shown, strongest, ARCS["edges"])
    heaviest = drawn[0][2] if drawn else 1
    edges = []
    for a, b, weight in reversed(drawn):
        top, bottom = sorted((placed[a], placed[b]), key=lambda p: p.y)
        radius = (bottom.y - top.y) / 2
        edge = Edge(top.node, bottom.node, weight)
        edge.width = round(0.6 + 2.9 * math.sqrt(weight / heaviest), 2)
        edge.path = (
            f"M{top.x},{top.y} A{radius:.1f},{radius:.1f} 0 0 1 {bottom.x},{bottom.y}"
        )
        edges.append(edge)
    return NetworkLayout(
        name="arcs",
        width=width,
        height=row * len(shown),
        font_size=size,
        land="",
        nodes=list(placed.values()),
        edges=edges,
    )


def _arc(a: PlacedNode, b: PlacedNode) -> str:
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
    label_x: float = 0.0


# Two drawings of the timeline: the wide one from 60rem up, the narrow one
# drawn at most as many pixels wide as it has units, so that its 12-unit
# labels stay 12 px on a phone. ``label_room``: units a year label needs.
TIMELINE_LAYOUTS = (
    {"name": "wide", "plot_width": 900, "plot_height": 300, "left": 46,
     "label_room": 56},
    {"name": "narrow", "plot_width": 318, "plot_height": 220, "left": 36,
     "label_room": 38},
)  # fmt: skip


def timeline(partnerships: QuerySet[Partnership]) -> dict:
    rows = (
        partnerships.filter(start_date__isnull=False)
        .values_list("start_date__year", "kind")
        # The filters select partnerships by semi-joins (filters._among):
        # one row each, nothing to count twice.
        .annotate(total=Count("pk"))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for year, kind, total in rows:
        counts[year][kind] = total
    labels = dict(PartnershipKind.choices)
    if not counts:
        return {"layouts": [], "kinds": [], "table": []}
    first, last = min(counts), max(counts)
    years = list(range(first, last + 1))
    totals = {year: sum(counts.get(year, {}).values()) for year in years}
    kinds_present = [
        k for k in PartnershipKind.values if any(k in c for c in counts.values())
    ]
    return {
        "layouts": [
            _timeline_layout(spec, years, counts, totals, kinds_present, labels)
            for spec in TIMELINE_LAYOUTS
        ],
        "first_year": first,
        "last_year": last,
        "kinds": [(k, labels[k]) for k in kinds_present],
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


def _timeline_layout(spec, years, counts, totals, kinds, labels) -> dict:
    plot_width, plot_height, left = (
        spec["plot_width"],
        spec["plot_height"],
        spec["left"],
    )
    largest = max(totals.values())
    step = _nice_step(largest)
    top = math.ceil(largest / step) * step
    slot = plot_width / len(years)
    bar = max(1.0, min(28.0, slot * 0.75))
    label_every = max(1, math.ceil(spec["label_room"] / slot))
    for nice in (1, 2, 5, 10, 20, 25, 50):
        if nice >= label_every:
            label_every = nice
            break
    columns = []
    for index, year in enumerate(years):
        y: float = plot_height
        segments = []
        for kind in kinds:
            count = counts.get(year, {}).get(kind, 0)
            if not count:
                continue
            height = plot_height * count / top
            y -= height
            segments.append(
                Segment(kind, labels[kind], count, round(y, 2), round(height, 2))
            )
        x = left + index * slot + (slot - bar) / 2
        columns.append(
            YearColumn(
                year=year,
                total=totals[year],
                x=round(x, 2),
                segments=segments,
                labelled=year % label_every == 0 or len(years) <= label_every,
                label_x=round(x + bar / 2, 2),
            )
        )
    ticks = [
        {"value": value, "y": round(plot_height - plot_height * value / top, 2)}
        for value in range(0, top + 1, step)
    ]
    return {
        "name": spec["name"],
        "columns": columns,
        "bar": round(bar, 2),
        "slot": slot,
        "ticks": ticks,
        "left": left,
        "plot_width": plot_width,
        "plot_height": plot_height,
        "width": left + plot_width + 10,
        "height": plot_height + 24 + 24,
    }


def _nice_step(largest: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if largest / step <= 6:
            return step
    return 10_000
