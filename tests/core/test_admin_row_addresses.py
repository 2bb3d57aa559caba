"""Every admin changelist links each row to its change page with the
address Django's own changelist writes (``coopsite.admin.RowAddressChangeList``),
without reversing it again for each of a page's hundred rows."""

import re
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.admin.views import main
from django.contrib.admin.views.main import ChangeList
from django.urls import get_script_prefix, set_script_prefix

from coopsite.admin import RowAddressChangeList, RowAddressMixin
from partnerships.models import Partnership
from tests.factories import PartnershipFactory, PublishedArticleFactory
from tests.security.payloads import PAYLOADS

pytestmark = pytest.mark.django_db

KEYS = [0, 1, 9, 10, 11, 99, 100, 12345, 2**40]
# What differs between two requests of one page: the CSP nonce, the CSRF token.
PER_REQUEST = re.compile(r'(nonce="|name="csrfmiddlewaretoken" value=")[^"]*"')


def same_page(response) -> str:
    return PER_REQUEST.sub(r'\1"', response.content.decode())


def changelist_of(model_admin) -> RowAddressChangeList:
    """A changelist of ``model_admin`` with what writing an address reads."""
    changelist = RowAddressChangeList.__new__(RowAddressChangeList)
    changelist.model_admin = model_admin
    changelist.opts = model_admin.model._meta
    changelist.pk_attname = model_admin.model._meta.pk.attname
    return changelist


def test_every_registered_admin_writes_its_row_addresses_once_a_page():
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, RowAddressMixin), model
        assert issubclass(model_admin.get_changelist(None), RowAddressChangeList), model


@pytest.mark.parametrize("prefix", ["/", "/under/a path/"])
def test_each_row_address_is_the_one_django_writes(prefix):
    before = get_script_prefix()
    set_script_prefix(prefix)
    try:
        for model, model_admin in admin.site._registry.items():
            changelist = changelist_of(model_admin)
            for key in KEYS:
                row = model(**{changelist.pk_attname: key})
                ours = changelist.url_for_result(row)
                assert ours == ChangeList.url_for_result(changelist, row), model
                assert ours.startswith(prefix.replace(" ", "%20"))
    finally:
        set_script_prefix(before)


def test_a_key_that_is_not_a_whole_number_gets_djangos_address():
    model_admin = admin.site._registry[Partnership]
    changelist = changelist_of(model_admin)
    for key in ["12", "a/b_c", "x y"]:
        row = mock.Mock(spec=["pk", changelist.pk_attname])
        setattr(row, changelist.pk_attname, key)
        assert changelist.url_for_result(row) == ChangeList.url_for_result(
            changelist, row
        )


@pytest.mark.parametrize(
    "path", ["/admin/partnerships/partnership/", "/admin/articles/article/"]
)
def test_a_changelist_page_is_the_one_django_writes_without_reversing_per_row(
    superuser_client, path
):
    for name in PAYLOADS[:20]:
        PartnershipFactory(name=name)
        PublishedArticleFactory(title=name)
    with mock.patch.object(main, "reverse", wraps=main.reverse) as reversed_:
        ours = superuser_client.get(path)
    assert ours.status_code == 200
    assert reversed_.call_count == 0
    assert same_page(ours).count('/change/"') >= 20
    with mock.patch.object(RowAddressMixin, "get_changelist", return_value=ChangeList):
        djangos = superuser_client.get(path)
    assert len(djangos.context["cl"].result_list) == 20
    assert same_page(ours) == same_page(djangos)
