"""Public pages for the partnership records.

Plain pages for now: the full browsing, filtering and search experience
builds on these views. Every queryset fetches what its template shows in a
fixed number of queries, whatever the number of rows.
"""

from django.core.paginator import InvalidPage, Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.views.generic import DetailView, ListView

from articles.models import Article

from .models import (
    Bloc,
    BlocMembership,
    Country,
    Organisation,
    Participant,
    Partnership,
    PartnershipSystem,
    System,
    Tag,
)

PAGE_SIZE = 25
ARTICLES_PER_PAGE = 10


class EntityArticlesMixin:
    """Adds the published articles that link this entity, newest first,
    paginated by ``?page=``."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        articles = (
            Article.objects.published()
            .linking(self.object)
            .prefetch_related("authors")
            .order_by("-published_at", "-pk")
        )
        paginator = Paginator(articles, ARTICLES_PER_PAGE)
        try:
            context["articles_page"] = paginator.page(self.request.GET.get("page", 1))
        except InvalidPage:
            raise Http404("No such page of articles.") from None
        return context


class PartnershipListView(ListView):
    template_name = "partnerships/partnership_list.html"
    context_object_name = "partnerships"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return Partnership.objects.with_participants()


class PartnershipDetailView(EntityArticlesMixin, DetailView):
    template_name = "partnerships/partnership_detail.html"
    context_object_name = "partnership"

    def get_queryset(self):
        return Partnership.objects.prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related(
                    "country", "organisation", "bloc"
                ).order_by("role", "id"),
            ),
            Prefetch(
                "system_lines",
                queryset=PartnershipSystem.objects.select_related("system"),
            ),
            "sources",
            "tags",
            "aliases",
        )


class EntityPartnershipsMixin:
    """Adds the partnerships an actor takes part in, paginated."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partnerships"] = Partnership.objects.involving(
            self.object
        ).with_participants()[:PAGE_SIZE]
        return context


class CountryListView(ListView):
    template_name = "partnerships/country_list.html"
    context_object_name = "countries"

    def get_queryset(self):
        return Country.objects.only("name", "slug", "region", "is_former").order_by(
            "is_former", "name"
        )


class CountryDetailView(EntityArticlesMixin, EntityPartnershipsMixin, DetailView):
    template_name = "partnerships/country_detail.html"
    context_object_name = "country"

    def get_queryset(self):
        return Country.objects.prefetch_related(
            Prefetch(
                "bloc_memberships",
                queryset=BlocMembership.objects.select_related("bloc"),
            ),
            "aliases",
        )


class OrganisationDetailView(EntityArticlesMixin, EntityPartnershipsMixin, DetailView):
    template_name = "partnerships/organisation_detail.html"
    context_object_name = "organisation"

    def get_queryset(self):
        return Organisation.objects.select_related("home_country").prefetch_related(
            "systems", "aliases"
        )


class SystemDetailView(EntityArticlesMixin, DetailView):
    template_name = "partnerships/system_detail.html"
    context_object_name = "system"

    def get_queryset(self):
        return System.objects.select_related("origin_country").prefetch_related(
            "makers", "aliases"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partnerships"] = (
            Partnership.objects.filter(system_lines__system=self.object)
            .distinct()
            .with_participants()[:PAGE_SIZE]
        )
        return context


class BlocDetailView(EntityArticlesMixin, EntityPartnershipsMixin, DetailView):
    template_name = "partnerships/bloc_detail.html"
    context_object_name = "bloc"

    def get_queryset(self):
        return Bloc.objects.prefetch_related(
            Prefetch(
                "memberships",
                queryset=BlocMembership.objects.select_related("country").order_by(
                    "country__name"
                ),
            ),
            "aliases",
        )


class TagDetailView(DetailView):
    template_name = "partnerships/tag_detail.html"
    context_object_name = "tag"
    model = Tag

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partnerships"] = self.object.partnerships.with_participants()[
            :PAGE_SIZE
        ]
        context["articles"] = (
            Article.objects.published()
            .filter(tags=self.object)
            .prefetch_related("authors")[:PAGE_SIZE]
        )
        return context
