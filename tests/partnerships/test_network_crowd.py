"""The network map with a crowd: 45 countries, ranked, the forty best
connected drawn, their labels kept apart (the rest of the charts:
test_charts.py)."""

import itertools

import pytest

from partnerships.models import Country
from tests.factories import ParticipantFactory, PartnershipFactory
from tests.sharing import shared_content

pytestmark = pytest.mark.django_db


CODES = [
    "US", "CA", "MX", "BR", "AR", "GB", "FR", "DE", "IT", "ES", "PT", "NL",
    "BE", "CH", "AT", "PL", "CZ", "SK", "HU", "RO", "BG", "GR", "TR", "UA",
    "BY", "LT", "LV", "EE", "FI", "SE", "NO", "DK", "IE", "RU", "KZ", "AZ",
    "GE", "AM", "IL", "JO", "SA", "AE", "QA", "PK", "IN",
]  # fmt: skip


def _crowd() -> list[str]:
    countries = {
        country.alpha_2: country
        for country in Country.objects.filter(alpha_2__in=CODES, is_former=False)
    }
    everyone = PartnershipFactory(kind="exercise")
    for code in CODES:
        ParticipantFactory(partnership=everyone, country=countries[code])
    for first, second in itertools.pairwise(CODES):
        deal = PartnershipFactory()
        ParticipantFactory(partnership=deal, country=countries[first])
        ParticipantFactory(partnership=deal, country=countries[second])
    return CODES


@pytest.fixture(scope="module")
def crowd_shared(request, django_db_setup, django_db_blocker):
    yield from shared_content(request, django_db_blocker, _crowd)


@pytest.fixture
def crowd(crowd_shared, db):
    """45 countries in exercises together, two by two and all at once, so
    that they are ranked and crowd each other on the map: made once for
    this module (the network's table made again, as on commit), every
    test's changes rolled back."""
    return crowd_shared


def test_the_map_draws_the_forty_best_connected_and_the_table_lists_all(client, crowd):
    response = client.get("/network/")
    network = response.context["network"]
    world, arcs = network.layouts
    assert len(network.countries) == 45
    assert len(world.nodes) == 40
    assert len(arcs.nodes) == 16
    assert [n.name for n in network.countries[:40]] == sorted(
        (p.node.name for p in world.nodes),
        key=[n.name for n in network.countries].index,
    )
    page = response.content.decode()
    # Every country has its row in the table, drawn or not.
    assert page.count('<tr><td class="number">') == 45


def test_the_links_are_drawn_as_a_few_paths_however_many_there_are(client, crowd):
    response = client.get("/network/")
    world, arcs = response.context["network"].layouts
    page = response.content.decode()
    for layout in (world, arcs):
        assert len(layout.edges) >= 40
        strokes = layout.strokes
        assert len(strokes) <= 8  # one per line width
        assert [width for width, _ in strokes] == sorted(w for w, _ in strokes)
        assert sum(path.count("M") for _, path in strokes) == len(layout.edges)
        for width, path in strokes:
            assert f'<path d="{path}" stroke-width="{width}">' in page


def _boxes_overlap(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_no_two_map_labels_overlap_and_none_covers_a_country(client, crowd):
    world = client.get("/network/").context["network"].layouts[0]
    labelled = [p for p in world.nodes if p.label]
    assert len(labelled) >= 20  # most of a crowded Europe still has names
    boxes = [p.label.box for p in labelled]
    for i, box in enumerate(boxes):
        assert box[0] >= 0
        assert box[2] <= world.width
        assert box[1] >= 0
        assert box[3] <= world.height
        for other in boxes[i + 1 :]:
            assert not _boxes_overlap(box, other)
        for node in world.nodes:
            circle = (
                node.x - node.r,
                node.y - node.r,
                node.x + node.r,
                node.y + node.r,
            )
            assert not _boxes_overlap(box, circle)


def test_labels_far_from_their_country_have_a_leader_line(client, crowd):
    world = client.get("/network/").context["network"].layouts[0]
    page = client.get("/network/").content.decode()
    for placed in (p for p in world.nodes if p.label):
        left, top, right, bottom = placed.label.box
        gap_x = max(left - placed.x, placed.x - right, 0)
        gap_y = max(top - placed.y, placed.y - bottom, 0)
        if max(gap_x, gap_y) > placed.r + 8:
            assert placed.label.leader, placed.node.name
    assert '<g class="leaders" aria-hidden="true"><line' in page


def test_narrow_screens_get_ranked_rows_with_12_unit_labels(client, crowd):
    response = client.get("/network/")
    arcs = response.context["network"].layouts[1]
    assert arcs.width == 360
    assert arcs.font_size == 12
    ys = [p.y for p in arcs.nodes]
    assert ys == sorted(ys)  # most connected at the top
    assert all(p.label for p in arcs.nodes)
    boxes = [p.label.box for p in arcs.nodes]
    assert not any(
        _boxes_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]
    )
    assert all(box[0] >= 0 for box in boxes)
