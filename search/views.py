from django import forms
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.views.generic import TemplateView

from articles.models import Article
from coopsite.safety import refuse_control_characters
from partnerships.models import Entity, EntityType

from . import backends
from .backends import search

PER_PAGE = 20


def kinds() -> list[tuple[str, str]]:
    """What a reader may narrow a search to: articles, or one kind of record."""
    return [
        ("article", "Articles"),
        *((kind.value, kind.plural) for kind in EntityType),
    ]


def kind_label(kind: str) -> str:
    return "Article" if kind == "article" else EntityType(kind).label


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search",
        max_length=200,
        required=False,
        validators=[refuse_control_characters],
        error_messages={
            "max_length": "Please shorten your search to at most 200 characters."
        },
    )
    type = forms.ChoiceField(
        label="Show",
        required=False,
        choices=lambda: [("", "Everything"), *kinds()],
    )


class SearchView(TemplateView):
    template_name = "search/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET or None)
        context["form"] = form
        if (
            not form.is_bound
            or not form.is_valid()
            or not form.cleaned_data["q"].strip()
        ):
            return context
        text, kind = form.cleaned_data["q"], form.cleaned_data["type"]
        query = search(text, [kind] if kind else None)
        if not query:
            context["no_terms"] = True
            return context
        paginator = Paginator(query, PER_PAGE)
        try:
            page = paginator.page(self.request.GET.get("page", 1))
        except InvalidPage:
            raise Http404("No such page of results.") from None
        hits = list(page.object_list)
        by_kind = query.count_by_kind()
        # The articles found, read as every public page reads them.
        articles = (
            Article.objects.published()
            .prefetch_related("authors")
            .in_bulk([h.article_id for h in hits if h.article_id])
        )
        entities = Entity.objects.in_bulk([h.entity_id for h in hits if h.entity_id])
        context.update(
            query=text,
            page_obj=page,
            results=[
                {"hit": hit, "object": found, "label": kind_label(hit.kind)}
                for hit in hits
                if (
                    found := articles.get(hit.article_id) or entities.get(hit.entity_id)
                )
            ],
            kind_counts=[
                (value, label, f"{count:,}+" if query.is_capped else f"{count:,}")
                for value, label in kinds()
                if (count := by_kind.get(value))
            ],
            kind=kind,
            capped=query.is_capped,
            candidates=f"{backends.CANDIDATES:,}",
        )
        return context
