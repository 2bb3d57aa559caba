from django import forms

from . import services
from .models import Article, ArticleRevision


class ArticleAdminForm(forms.ModelForm):
    """The article form. It remembers which version of the article it was
    opened on; saving over a newer one is refused, with what changed
    meanwhile, and the text typed here stays in the form."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "standfirst",
            "body",
            "authors",
            "tags",
            "published_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance.pk and not self.is_bound:
            self.initial["base_version"] = self.instance.edit_version

    def clean(self):
        cleaned = super().clean()
        try:
            services.check_not_stale(
                article=self.instance, base_version=cleaned.get("base_version")
            )
        except services.StaleEdit as stale:
            self.conflict = Conflict(self.instance, stale.base_version)
            # Opened again, the form starts from the newest version.
            self.data = self.data.copy()
            self.data["base_version"] = self.conflict.current_version
            raise forms.ValidationError(
                "Someone else saved this article while you were editing it. "
                "Nothing was saved: what they changed is shown below, and your "
                "text is still in the form. Merge what you need, then save again.",
                code="stale",
            ) from None
        return cleaned


class Conflict:
    """What another editor changed since this form was opened."""

    def __init__(self, article: Article, base_version: int):
        revisions = ArticleRevision.objects.filter(article=article)
        self.current = revisions.order_by("-number").select_related("user").first()
        self.current_version = (
            Article.objects.filter(pk=article.pk)
            .values_list("edit_version", flat=True)
            .get()
        )
        self.base = (
            revisions.filter(edit_version__lte=base_version).order_by("-number").first()
        )
        self.changes = (
            services.compare(self.base, self.current)
            if self.base and self.current
            else []
        )
        self.by = self.current.user if self.current else None
