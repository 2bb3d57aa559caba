"""The admin site: entity look-ups that say what kind each entity is, a
"view on site" shortcut that asks the object's own admin first, record
history that can be read but not written through, and forms that refuse
invisible control characters."""

from contextvars import ContextVar
from functools import cached_property
from typing import Any
from urllib.parse import quote_plus

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import display_for_field, get_fields_from_path, unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet, PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db.models import (
    Exists,
    ForeignKey,
    ForeignObjectRel,
    ManyToManyField,
    ManyToOneRel,
    OuterRef,
    Q,
)
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from freshness.versions import kept_for_version

from .filtering import KeptCountPaginator, query_text
from .safety import refuse_control_characters


class KeptRelatedOnlyFilter(admin.RelatedOnlyFieldListFilter):
    """Django's "related only" list filter (the tags, authors or countries
    that the rows the user may see have), its choices kept for the data's
    version, per user, as the public lists' facets are: finding them reads
    every row of the list (100,000 articles), on every request of the
    changelist. Any committed save of a row, a link or a tag gives the data
    a new version, and so new choices: until one app process has read them
    in the background, the choices last read (``stale``, as a public list's
    facet counts; the filter offers them, it does not decide the rows), and
    the changelist's filters written from them are not kept."""

    def field_choices(self, field, request, model_admin):
        return kept_for_version(
            f"admin-choices|{model_admin.model._meta.label}|{self.field_path}"
            f"|{request.user.pk}",
            lambda: list(self.choices_of_rows(field, request, model_admin)),
            stale=True,
        )

    def choices_of_rows(self, field, request, model_admin):
        """Django's choices: the related objects that some row of the list
        has. Where the user may see every row, asked of the table that holds
        the links (each related object probed in its index: is it linked at
        all?) rather than as Django asks, by collecting the related keys of
        every row (at 100,000 articles a tenth of a second against a
        millisecond; the same choices, ``tests/core/test_admin_kept_choices``).
        Where the rows are fewer (a contributor's own), Django's way."""
        linked = links_to(model_admin.model, self.field_path)
        queryset = model_admin.get_queryset(request)
        if linked is None or queryset.query.where or queryset.query.distinct:
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False,
            limit_choices_to=Q(Exists(linked)),
            ordering=ordering,
        )


def links_to(model, field_path: str):
    """The rows that link a related object to some ``model`` row along
    ``field_path`` (a many-to-many field of ``model``'s, or a foreign key
    reached through relations that every row on the way must have), each
    filtered on the object (``OuterRef("pk")``) for an ``Exists``; None for
    any other path."""
    fields = get_fields_from_path(model, field_path)
    last = fields[-1]
    if len(fields) == 1 and isinstance(last, ManyToManyField):
        through = last.remote_field.through
        if through is None:
            return None
        return through._base_manager.filter(
            **{last.m2m_reverse_field_name(): OuterRef("pk")}
        )
    if not (isinstance(last, ForeignKey) and last.target_field.primary_key):
        return None
    # Every step before the key: a reverse foreign key that no row lacks
    # (a participant always has its partnership).
    for step in fields[:-1]:
        if not (isinstance(step, ManyToOneRel) and not step.field.null):
            return None
    owner = last.model
    if owner is None:
        return None
    return owner._base_manager.filter(**{last.name: OuterRef("pk")})


def _may_be_key_of(field, value) -> bool:
    """Whether ``value`` (as a form sends it) could be a value of ``field``:
    "abc" is no number, whatever the rows."""
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return True


class RowCheckboxMixin:
    """The changelist's checkbox on each row, the markup Django's
    ``action_checkbox`` writes, without rendering a form widget's template
    for each of a page's hundred rows (a fifth of the partnership list's
    time). ``tests/core/test_admin_row_checkbox.py`` compares the two.

    What the boxes send back is read as keys: a value no row's key could
    be ("abc", from a forged form) is left out of the selection, where
    Django would look it up as it is and fail; a selection of only such
    values is no selection, answered as Django answers one."""

    opts: Any  # the model's options, as the ModelAdmin it is mixed into has them

    def changelist_view(self, request, extra_context=None):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        keys = [value for value in selected if _may_be_key_of(self.opts.pk, value)]
        if len(keys) < len(selected):
            post = request.POST.copy()
            post.setlist(helpers.ACTION_CHECKBOX_NAME, keys)
            request.POST = post
        return super().changelist_view(request, extra_context)

    def action_checkbox(self, obj):
        # format_html's escaping, without its two calls for each row: the
        # label's wording is Django's translation, its object escaped.
        label = _("Select this object for an action - {}").format(escape(str(obj)))
        return SafeString(
            f'<input type="checkbox" name="{escape(helpers.ACTION_CHECKBOX_NAME)}"'
            f' value="{escape(str(obj.pk))}" class="action-select"'
            f' aria-label="{label}">'
        )


class _ChosenKeysOnly:
    """Django's autocomplete widget, showing a form again (with its errors),
    looks up the chosen values as they were sent: one no key can be ("abc",
    from a forged form, which the form refuses with "Select a valid
    choice") failed the page. It is shown as a value naming no row is: not
    at all."""

    field: Any  # the model's field, as Django's AutocompleteMixin has it

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        opts = remote.model._meta
        key = opts.get_field(getattr(remote, "field_name", opts.pk.attname))
        chosen = [choice for choice in value if _may_be_key_of(key, choice)]
        return super().optgroups(name, chosen, attr)


class ChosenKeysAutocompleteSelect(_ChosenKeysOnly, AutocompleteSelect):
    pass


class ChosenKeysAutocompleteSelectMultiple(_ChosenKeysOnly, AutocompleteSelectMultiple):
    pass


class AutocompleteKeysMixin:
    """For model admins and inlines: their ``autocomplete_fields`` with the
    widgets above. The site adds it to every admin it registers; an inline
    with autocomplete fields takes it itself."""

    admin_site: Any

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(
            request
        ):
            kwargs["widget"] = ChosenKeysAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(
            request
        ):
            kwargs["widget"] = ChosenKeysAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class RowAddressChangeList(ChangeList):
    """Django's changelist, each row's address (the link to its change
    page) written from one address reversed per page: Django reverses it
    again for each of a page's hundred rows, a tenth of a changelist's
    rendering. Only for whole-number keys, whose address is the key's
    digits between the same two parts; any other key is Django's own.
    ``tests/core/test_admin_row_addresses.py`` compares the pages."""

    def get_filters(self, request):
        # Django reads the date hierarchy's year, month and day with int()
        # and datetime(), then steps to the next year, month or day: a year
        # beyond a C long, or the last month of 9999, raised OverflowError
        # or ValueError where Django catches a ValueError of datetime()
        # alone. Such a list is a bad address, as Django answers others;
        # any other error is left to show.
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as exc:
            dated = f"{self.date_hierarchy}__" if self.date_hierarchy else None
            if dated and any(name.startswith(dated) for name in self.params):
                raise IncorrectLookupParameters(exc) from exc
            raise

    def url_for_result(self, result):
        pk = getattr(result, self.pk_attname)
        if type(pk) is not int or pk < 0:
            return super().url_for_result(result)
        before, after = self._row_address_parts
        return f"{before}{pk}{after}"

    @cached_property
    def _row_address_parts(self) -> tuple[str, str]:
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
        site = self.model_admin.admin_site.name
        zero, one = (reverse(name, args=(key,), current_app=site) for key in "01")
        # The two addresses differ in the key's one character only.
        at = next(i for i, (a, b) in enumerate(zip(zero, one, strict=True)) if a != b)
        return zero[:at], zero[at + 1 :]


class QueryStringChangeList(RowAddressChangeList):
    """Django's changelist, the address of each filter choice (the list's
    own parameters, one of them set to the choice's value) written from the
    parameters it keeps encoded once per parameter the choices set, not
    copied, sorted and encoded again for each of a sidebar's two hundred
    and fifty choices. The same text as Django's: its parameters sorted by
    name, each pair encoded on its own and joined with "&".
    ``tests/core/test_admin_filters.py`` compares the two."""

    def get_query_string(self, new_params=None, remove=None):
        if not new_params or len(new_params) != 1:
            return super().get_query_string(new_params, remove)
        ((name, value),) = new_params.items()
        if value is None or not isinstance(name, str):
            return super().get_query_string(new_params, remove)
        before, after = self._kept_around(name, tuple(remove or ()))
        if type(value) is str or type(value) is int:
            # What urlencode writes for such a pair, without its two layers.
            pair = f"{quote_plus(name)}={quote_plus(str(value))}"
        else:
            pair = urlencode([(name, value)], doseq=True)
        return "?" + "&".join(part for part in (before, pair, after) if part)

    def _kept_around(self, name: str, remove: tuple) -> tuple[str, str]:
        """The list's parameters but ``name`` and those ``remove`` names,
        encoded as Django encodes them: those sorted before ``name``, and
        those after."""
        kept = self.__dict__.setdefault("_kept_query_parts", {})
        try:
            return kept[name, remove]
        except KeyError:
            pass
        params = sorted(
            (key, value)
            for key, value in self.filter_params.items()
            if key != name and not any(key.startswith(r) for r in remove)
        )
        at = next((i for i, (key, _) in enumerate(params) if key > name), len(params))
        parts = kept[name, remove] = (
            urlencode(params[:at], doseq=True),
            urlencode(params[at:], doseq=True),
        )
        return parts


class RowAddressMixin:
    def get_changelist(self, request, **kwargs):
        return QueryStringChangeList


class KeptCountMixin:
    """A changelist whose count of rows (the paginator's, one scan of the
    list: 100,000 articles) is kept for the data's version, per list, the
    list named by its own query (its filters, search and the rows the user
    may see), as the date hierarchy's dates are (``admin_dates``). Only for
    the models whose every committed change gives the data a new version
    (``freshness``): the articles and the records."""

    def get_paginator(
        self, request, queryset, per_page, orphans=0, allow_empty_first_page=True
    ):
        try:
            key = f"admin-count|{queryset.model._meta.label}|{query_text(queryset)}"
        except EmptyResultSet:
            key = None
        return KeptCountPaginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            keep_count=((lambda count: kept_for_version(key, count)) if key else _now),
        )


def _now(count):
    return count()


# What the site adds to every admin it registers, library admins included.
SITE_ADMIN_MIXINS = (RowCheckboxMixin, RowAddressMixin, AutocompleteKeysMixin)


class EntityAutocompleteView(AutocompleteJsonView):
    def process_request(self, request):
        # Django takes a reverse relation for the field asking (an entity's
        # "bloc", its row as a bloc), then fails on it: no form has one.
        term, model_admin, source_field, to_field_name = super().process_request(
            request
        )
        if isinstance(source_field, ForeignObjectRel):
            raise PermissionDenied
        return term, model_admin, source_field, to_field_name

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        entity_type = getattr(obj, "get_entity_type_display", None)
        if entity_type is not None:
            result["text"] = f"{obj.name} · {entity_type().lower()}"
        return result


HTTP_ONLY = URLValidator(
    schemes=["http", "https"],
    message="Enter an http:// or https:// address.",
    code="http_only",
)


def refuse_control_characters_in(form_class) -> None:
    """Every text field of ``form_class`` refuses control characters
    (passwords excepted: they are never shown or served), and every address
    field takes http(s) addresses only."""
    for field in form_class.base_fields.values():
        if not isinstance(field, forms.CharField) or isinstance(
            field.widget, forms.PasswordInput
        ):
            continue
        if refuse_control_characters not in field.validators:
            field.validators.append(refuse_control_characters)
        if isinstance(field, forms.URLField) and HTTP_ONLY not in field.validators:
            field.validators.append(HTTP_ONLY)


class RefuseControlCharactersMixin:
    """Every admin form and inline form refuses invisible control characters
    with a clear error. The site adds this to every admin it registers."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refuse_control_characters_in(form)
        return form

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            refuse_control_characters_in(formset.form)
            yield formset, inline

    def get_changelist_form(self, request, **kwargs):
        form = super().get_changelist_form(request, **kwargs)
        refuse_control_characters_in(form)
        return form


_apps_on_demand: ContextVar[bool] = ContextVar("coopsite_apps_on_demand", default=False)


class CoopsiteAdminSite(admin.AdminSite):
    site_header = "coopsite administration"
    site_title = "coopsite admin"
    index_title = "Articles and partnership records"

    def register(self, model_or_iterable, admin_class=None, **options):
        """Register as Django does, with every form refusing control
        characters (RefuseControlCharactersMixin), library admins included."""
        admin_class = admin_class or admin.ModelAdmin
        missing = tuple(
            mixin
            for mixin in (RefuseControlCharactersMixin, *SITE_ADMIN_MIXINS)
            if not issubclass(admin_class, mixin)
        )
        if missing:
            admin_class = type(
                admin_class.__name__,
                (*missing, admin_class),
                {"__module__": admin_class.__module__},
            )
        return super().register(model_or_iterable, admin_class, **options)

    def autocomplete_view(self, request):
        return EntityAutocompleteView.as_view(admin_site=self)(request)

    def get_urls(self):
        urls = super().get_urls()
        gated = path(
            "r/<path:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        return [
            gated if getattr(url, "name", None) == "view_on_site" else url
            for url in urls
        ]

    def each_context(self, request):
        """Django's, its list of every app and model the user may see read
        only when a page shows it: the navigation sidebar is written once
        for each permission set and page (``admin_sidebar``), and then not
        made from it again."""
        token = _apps_on_demand.set(True)
        try:
            return super().each_context(request)
        finally:
            _apps_on_demand.reset(token)

    def get_app_list(self, request, app_label=None):
        if app_label is None and _apps_on_demand.get():
            # each_context's "available_apps": made if a template reads it.
            return SimpleLazyObject(
                lambda: super(CoopsiteAdminSite, self).get_app_list(request)
            )
        return super().get_app_list(request, app_label)

    def view_on_site(self, request, content_type_id, object_id):
        """Django's shortcut redirects any member of staff to any object's
        public address, a draft's included. Here the object's own admin
        decides: an object the user may not see in the admin is not found."""
        try:
            content_type = ContentType.objects.get_for_id(int(content_type_id))
        except (ValueError, ContentType.DoesNotExist):
            raise Http404("No such object.") from None
        model = content_type.model_class()
        if model is None or not self.is_registered(model):
            raise Http404("No such object.")
        model_admin = self.get_model_admin(model)
        if not hasattr(model, "get_absolute_url"):
            raise Http404("No such object.")
        obj = model_admin.get_object(request, unquote(object_id))
        if obj is None or not model_admin.has_view_or_change_permission(request, obj):
            raise Http404("No such object.")
        return HttpResponseRedirect(obj.get_absolute_url())


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin, with its history pages read-only.

    Its "revert" form (``<id>/history/<history_id>/``) saves whatever is
    POSTed to it after checking only that the user may *view* the history:
    the button is hidden from view-only staff, the form is not. Here
    reverting is off for the whole site (``SIMPLE_HISTORY_REVERT_DISABLED``):
    the page shows the earlier version as a table, and a POST is refused
    unless reverting is on and the user may change this very object.
    """

    # simple-history keeps this many characters of a reason.
    REASON_LENGTH = 100

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._give_reason(obj, entry)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._give_reason(obj, entry)
        return entry

    def _give_reason(self, obj, entry) -> None:
        """The save's own history row, without a reason of its own, takes
        the admin's account of what changed ("Changed Tags. Added alias
        “Turkey”."): a change of tags or of an inline writes no field of the
        record, and its history row would otherwise say nothing."""
        history = getattr(obj, "history", None)
        if history is None or entry is None:
            return
        text = entry.get_change_message()
        if len(text) > self.REASON_LENGTH:
            text = text[: self.REASON_LENGTH - 1] + "…"
        latest = history.order_by("-history_id").first()
        if latest is not None and not latest.history_change_reason:
            history.filter(history_id=latest.history_id).update(
                history_change_reason=text
            )

    def history_view(self, request, object_id, extra_context=None):
        """The record's history; an address whose id no record could have
        ("abc", "1.5") is not found, where the library would look it up as
        it is and fail."""
        if not _may_be_key_of(self.opts.pk, unquote(object_id)):
            raise Http404("No such record.")
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        history_model = self.model.history.model
        try:
            record = history_model.objects.select_related("history_user").get(
                **{
                    self.model._meta.pk.attname: unquote(object_id),
                    "history_id": version_id,
                }
            )
        except (history_model.DoesNotExist, ValueError, ValidationError):
            raise Http404("No such version of this record.") from None
        obj = record.instance
        if not self.has_view_history_or_change_history_permission(request, obj):
            raise PermissionDenied
        writing = request.method not in ("GET", "HEAD")
        if writing and (
            self.revert_disabled(request, obj)
            or not self.has_change_permission(request, obj)
        ):
            raise PermissionDenied("A record's history can be read, not written.")
        if not self.revert_disabled(request, obj):
            return super().history_form_view(
                request, object_id, version_id, extra_context
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"{obj} as it was",
            "opts": self.opts,
            "object": obj,
            "record": record,
            "rows": [
                (field.verbose_name, self._display(record, field))
                for field in history_model.tracked_fields
                if field.editable and field.name != "updated_at"
            ],
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/history/version.html", context)

    @staticmethod
    def _display(record, field):
        if field.is_relation:
            value = getattr(record, field.name, None)
        else:
            value = getattr(record, field.attname)
        return display_for_field(value, field, "—")


def public_url(obj) -> str | None:
    """``obj``'s public address for "view on site"; None while a form being
    corrected holds a slug no address can be made of."""
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return None


# The fields an optimistic-lock form (coopsite.locking) adds to a fieldset:
# the version it was opened on, and the choice offered after a refusal.
LOCK_FIELDS = ["base_version", "overwrite_version", "overwrite"]
