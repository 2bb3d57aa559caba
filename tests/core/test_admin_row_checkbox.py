"""Every admin changelist's row checkbox (``coopsite.admin.RowCheckboxMixin``)
is the markup Django's own ``action_checkbox`` writes, hostile names
included, on every admin the site registers."""

import pytest
from django.contrib import admin

from coopsite.admin import RowCheckboxMixin
from partnerships.models import Partnership
from tests.factories import PartnershipFactory
from tests.security.payloads import PAYLOADS

pytestmark = pytest.mark.django_db


def test_every_registered_admin_writes_its_row_checkbox_without_a_template():
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, RowCheckboxMixin), model


def test_the_row_checkbox_is_the_markup_django_writes():
    model_admin = admin.site._registry[Partnership]
    for pk, name in enumerate([*PAYLOADS, 'Côte d\'Ivoire & "Mali"'], start=1):
        partnership = PartnershipFactory.build(pk=pk, name=name)
        ours = model_admin.action_checkbox(partnership)
        djangos = admin.ModelAdmin.action_checkbox(model_admin, partnership)
        assert ours == djangos, name
        assert "<script" not in ours
