"""The admin site, with entity look-ups that say what kind each entity is."""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class EntityAutocompleteView(AutocompleteJsonView):
    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        entity_type = getattr(obj, "get_entity_type_display", None)
        if entity_type is not None:
            result["text"] = f"{obj.name} · {entity_type().lower()}"
        return result


class CoopsiteAdminSite(admin.AdminSite):
    site_header = "coopsite administration"
    site_title = "coopsite admin"
    index_title = "Articles and partnership records"

    def autocomplete_view(self, request):
        return EntityAutocompleteView.as_view(admin_site=self)(request)
