from django.core.exceptions import ValidationError
from django.utils import timezone

from coopsite.locking import OptimisticLockForm
from core.names import reserve_slug, slugify_name

from . import permissions, services
from .models import Article, ArticleRevision, ArticleSlugRedirect


class Conflict:
    """What another editor changed since this form was opened."""

    def __init__(self, article: Article, base_version: int, current_version: int):
        revisions = ArticleRevision.objects.filter(article=article)
        self.current = revisions.order_by("-number").select_related("user").first()
        self.current_version = current_version
        self.base = (
            revisions.filter(edit_version__lte=base_version).order_by("-number").first()
        )
        self.changes = (
            services.compare(self.base, self.current)
            if self.base and self.current
            else []
        )
        self.by = self.current.user if self.current else None
        self.at = self.current.created_at if self.current else None


# The name of the workflow buttons under the article form ("Save and
# publish", ...): a step the form's save leads to.
WORKFLOW = "_workflow"
# What the editor tells the writer with "Save and return to draft".
RETURN_NOTE = "_return_note"


class ArticleAdminForm(OptimisticLockForm):
    """The article form. It remembers which version of the article it was
    opened on; saving over a newer one is refused, with what changed
    meanwhile, and the text typed here stays in the form
    (coopsite.locking)."""

    conflict_class = Conflict
    # Who fills it in (set by the admin's ``get_form``): what its messages
    # may name.
    user = None

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "standfirst",
            "body",
            "lead_image",
            "meta_description",
            "social_image",
            "authors",
            "tags",
            "published_at",
        ]

    def _clean_lines(self, name):
        # Browsers send a textarea's lines ending in CRLF, and the form takes
        # off the text's last line break: the text is the same, and a save
        # that changed nothing must not look like an edit.
        text = (self.cleaned_data.get(name) or "").replace("\r\n", "\n")
        stored = getattr(self.instance, name, "") or ""
        if self.instance.pk and text == stored.replace("\r\n", "\n").strip():
            return stored
        return text

    def clean_published_at(self):
        """A live article keeps a time in the past on a plain save: a future
        one would take it off the site until then without a word (moving
        it to later is a workflow step: unpublish, then schedule)."""
        when = self.cleaned_data.get("published_at")
        if (
            self.instance.pk
            and self.instance.is_public
            and when is not None
            and when > timezone.now()
            and not self.data.get(WORKFLOW)
        ):
            raise ValidationError(
                "This article is live: a time in the future would take it off "
                "the site until then. Keep a time in the past, or unpublish it "
                "and schedule it again."
            )
        return when

    def clean_body(self):
        return self._clean_lines("body")

    def clean_slug(self):
        """Not another article's former address: links shared to it lead
        to that article (a permanent redirect), and would lead here."""
        slug = self.cleaned_data.get("slug")
        others = Article.objects.exclude(pk=self.instance.pk)
        if slug and others.filter(slug=slug).exists():
            # As a blog engine would: the next free address, to take or change
            # (neither an article's nor one an article had: that one redirects).
            base = slugify_name(slug)
            taken = {
                *Article.objects.filter(slug__startswith=base).values_list(
                    "slug", flat=True
                ),
                *ArticleSlugRedirect.objects.filter(
                    old_slug__startswith=base
                ).values_list("old_slug", flat=True),
            }
            free = reserve_slug(slug, taken)
            raise ValidationError(
                f"Another article has this address. “{free}” is free."
            )
        if slug:
            moved = (
                ArticleSlugRedirect.objects.filter(old_slug=slug)
                .exclude(article_id=self.instance.pk)
                .select_related("article")
                .first()
            )
            if moved is not None:
                # Named only to who may see that article (a contributor sees
                # their own articles only).
                whose = (
                    f"“{moved.article.title}”'s"
                    if self.user is not None
                    and permissions.can_view(self.user, moved.article)
                    else "another article's"
                )
                raise ValidationError(
                    f"This address was {whose} before it moved: links shared "
                    "to it lead there. Choose another address."
                )
        return slug

    def clean_standfirst(self):
        return self._clean_lines("standfirst")
