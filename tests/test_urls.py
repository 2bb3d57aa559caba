import pytest
from django.urls import resolve, reverse

ROUTES = [
    ("home", {}, "/"),
    ("articles:list", {}, "/articles/"),
    ("articles:detail", {"slug": "tb2"}, "/articles/tb2/"),
    ("partnerships:partnership_list", {}, "/partnerships/"),
    (
        "partnerships:partnership_detail",
        {"slug": "efes-2022"},
        "/partnerships/efes-2022/",
    ),
    ("partnerships:country_list", {}, "/countries/"),
    ("partnerships:country_detail", {"slug": "turkiye"}, "/countries/turkiye/"),
    ("partnerships:organisation_detail", {"slug": "baykar"}, "/organisations/baykar/"),
    ("partnerships:system_detail", {"slug": "kaan"}, "/systems/kaan/"),
    ("partnerships:bloc_detail", {"slug": "nato"}, "/blocs/nato/"),
    ("partnerships:tag_detail", {"slug": "drones"}, "/tags/drones/"),
]


@pytest.mark.parametrize(("name", "kwargs", "path"), ROUTES)
def test_reverse_and_resolve_round_trip(name, kwargs, path):
    assert reverse(name, kwargs=kwargs) == path
    match = resolve(path)
    assert match.view_name == name
    assert match.kwargs == kwargs
