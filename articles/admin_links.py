"""The article page's link panels: suggestions to decide, linked entities
(with hand-made links), and rejected suggestions that can be restored.
The forms only collect the editor's decisions; ``ArticleAdmin.save_formset``
takes them through the linking services."""

from collections.abc import Sequence

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from coopsite.admin import AutocompleteKeysMixin

from .models import ArticleEntityLink, LinkState

DECISIONS = {
    LinkState.SUGGESTED: [
        (LinkState.SUGGESTED, "Decide later"),
        (LinkState.ACCEPTED, "Accept"),
        (LinkState.REJECTED, "Reject"),
    ],
    LinkState.REJECTED: [
        (LinkState.REJECTED, "Keep rejected"),
        (LinkState.SUGGESTED, "Restore as a suggestion"),
        (LinkState.ACCEPTED, "Accept after all"),
    ],
}


class DecisionForm(forms.ModelForm):
    class Meta:
        model = ArticleEntityLink
        fields = ["state", "role"]
        widgets = {"state": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].label = "Decision"
        self.fields["state"].choices = DECISIONS[self.decides]

    def clean(self):
        # A decision is on a link the panel listed; a row more (a form sent
        # with fewer rows counted as initial than it holds) has none.
        if self.instance.pk is None:
            raise forms.ValidationError(
                "There is no such link to decide on: reload the page.",
                code="no_link",
            )
        return super().clean()


class SuggestionDecisionForm(DecisionForm):
    decides = LinkState.SUGGESTED


class RejectionDecisionForm(DecisionForm):
    decides = LinkState.REJECTED


class LinkedEntityForm(forms.ModelForm):
    class Meta:
        model = ArticleEntityLink
        fields = ["entity", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # A link is to one entity: unlink it and link another instead.
            self.fields["entity"].disabled = True

    def clean(self):
        cleaned = super().clean()
        entity = cleaned.get("entity")
        article_id = self.instance.article_id
        if entity is None or article_id is None:
            return cleaned
        other = (
            ArticleEntityLink.objects.filter(article_id=article_id, entity=entity)
            .exclude(pk=self.instance.pk)
            .first()
        )
        if other is not None and other.state == LinkState.SUGGESTED:
            self.add_error("entity", f"{entity} is already suggested: accept it above.")
        elif other is not None and other.state == LinkState.REJECTED:
            self.add_error(
                "entity",
                f"{entity} was rejected: choose “Accept after all” under "
                "Rejected suggestions.",
            )
        elif other is not None:
            self.add_error("entity", f"{entity} is already linked.")
        return cleaned


class LinkInlineMixin:
    model = ArticleEntityLink
    extra = 0
    classes: Sequence[str] | None = ("entity-links",)
    state: str

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(state=self.state)
            .select_related("entity")
            .order_by("-mention_count", "entity__name")
        )

    @admin.display(description="entity")
    def entity_display(self, link):
        return format_html(
            '<a href="{}">{}</a> <span class="quiet">{}</span>',
            reverse(
                f"admin:partnerships_{link.entity.entity_type}_change",
                args=[link.entity_id],
            ),
            link.entity.name,
            link.entity.get_entity_type_display().lower(),
        )

    @admin.display(description="first mention")
    def snippet_display(self, link):
        return link.snippet or "—"


class SuggestedLinkInline(LinkInlineMixin, admin.TabularInline):
    state = LinkState.SUGGESTED
    form = SuggestionDecisionForm
    fields = ["entity_display", "mention_count", "snippet_display", "state", "role"]
    readonly_fields = ["entity_display", "mention_count", "snippet_display"]
    max_num = 0
    can_delete = False
    verbose_name = "suggested link"
    verbose_name_plural = "Suggested links: found in the text, awaiting your decision"
    template = "admin/articles/article/suggested_links_inline.html"


class LinkedEntityInline(AutocompleteKeysMixin, LinkInlineMixin, admin.TabularInline):
    state = LinkState.ACCEPTED
    form = LinkedEntityForm
    fields = ["entity", "role", "source", "mention_count", "snippet_display"]
    readonly_fields = ["source", "mention_count", "snippet_display"]
    autocomplete_fields = ["entity"]
    verbose_name = "linked entity"
    verbose_name_plural = "Linked entities (shown to readers; add one by hand below)"


class RejectedLinkInline(LinkInlineMixin, admin.TabularInline):
    state = LinkState.REJECTED
    form = RejectionDecisionForm
    fields = ["entity_display", "mention_count", "snippet_display", "state", "role"]
    readonly_fields = ["entity_display", "mention_count", "snippet_display"]
    max_num = 0
    can_delete = False
    classes = ("entity-links", "collapse")
    verbose_name = "rejected suggestion"
    verbose_name_plural = "Rejected suggestions (never proposed again)"
