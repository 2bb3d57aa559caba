from functools import partial

from django import forms
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.text import capfirst
from django.views.generic import TemplateView

from articles.models import Article
from coopsite.filtering import PastTheLastPage
from coopsite.safety import refuse_control_characters
from freshness.versions import kept_rendering
from partnerships.models import Entity, EntityType

from . import backends
from .backends import search
from .cards import named_entities
from .suggestions import did_you_mean

PER_PAGE = 20


def kinds() -> list[tuple[str, str]]:
    """What a reader may narrow a search to, by what one of it is called:
    an article, or one kind of record (EntityType's labels)."""
    return [
        ("article", str(capfirst(Article._meta.verbose_name))),
        *EntityType.choices,
    ]


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search articles and records",
        max_length=200,
        required=False,
        validators=[refuse_control_characters],
        widget=forms.TextInput(attrs={"type": "search"}),
        error_messages={
            "max_length": "Please shorten your search to at most 200 characters."
        },
    )
    type = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=lambda: [("", "Any kind"), *kinds()],
    )


class PagedHits:
    """A query as a paginator pages it: counted as the query counts (kept
    for the data's version), a page's hits read only when they are first
    needed (not when its rendering is kept)."""

    def __init__(self, query):
        self.query = query

    def count(self) -> int:
        return self.query.count()

    def __len__(self) -> int:
        return self.query.count()

    def __getitem__(self, item: slice):
        return SimpleLazyObject(lambda: self.query[item])


class SearchView(TemplateView):
    template_name = "search/search.html"

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except PastTheLastPage as past:  # as the lists do
            return past.redirect(request)

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
        context.update(query=text, kind=kind)
        if not query:
            context["no_terms"] = True
            return context
        paginator = Paginator(PagedHits(query), PER_PAGE)
        try:
            page = paginator.page(self.request.GET.get("page", 1))
        except InvalidPage:
            past = PastTheLastPage.of(
                self.request.GET.get("page", ""), paginator.num_pages
            )
            if past is None:
                raise Http404("No such page of results.") from None
            raise past from None
        # The page's cards and results, found, ranked, highlighted and
        # rendered once per version of the data, and kept for it.
        results = kept_rendering(
            f"search-page:{[text, kind, page.number]!r}",
            partial(shown_results, query, page),
        )
        if not results and page.number == 1:
            context["suggestion"] = did_you_mean(
                text, lambda corrected: bool(search(corrected).count())
            )
            context.update(page_obj=page, results="")
            return context
        by_kind = query.count_by_kind()
        context.update(
            page_obj=page,
            results=results,
            kind_counts=[
                (value, label, count)
                for value, label in kinds()
                if (count := by_kind.get(value))
            ],
            total=min(backends.CANDIDATES, sum(by_kind.values())),
            capped=query.is_capped,
            candidates=backends.CANDIDATES,
        )
        return context


def shown_results(query, page) -> str:
    """A page of results, rendered (``search/results.html``): the named
    records among its hits as cards (first, when they are), then the rest;
    nothing if there are none."""
    hits = list(page.object_list)
    if not hits:
        return ""
    shown = {h.entity_id for h in hits}
    cards = named_entities(tuple(i for i in query.named if i in shown))
    carded = {card.pk for card in cards}
    # The articles found, read as every public page reads them.
    articles = (
        Article.objects.published()
        .prefetch_related("authors")
        .in_bulk([h.article_id for h in hits if h.article_id])
    )
    entities = Entity.objects.in_bulk([h.entity_id for h in hits if h.entity_id])
    labels = dict(kinds())
    return render_to_string(
        "search/results.html",
        {
            "first_number": page.start_index() + len(cards),
            "cards": [(card, labels[card.entity.entity_type]) for card in cards],
            "results": [
                {"hit": hit, "object": found, "label": labels[hit.kind]}
                for hit in hits
                if hit.entity_id not in carded
                and (
                    found := articles.get(hit.article_id) or entities.get(hit.entity_id)
                )
            ],
        },
    )
