from django import forms

from .models import Article, ArticleStatus

PUBLISHING_STATUSES = {ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED}


class ArticleAdminForm(forms.ModelForm):
    """Only users allowed to publish may move an article to published or
    archived, or change one that is."""

    can_publish = True

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "standfirst",
            "body",
            "authors",
            "tags",
            "status",
            "published_at",
        ]

    def clean(self):
        cleaned = super().clean()
        if self.can_publish:
            return cleaned
        status = cleaned.get("status")
        if status in PUBLISHING_STATUSES:
            self.add_error("status", "Only editors may publish or archive an article.")
        if self.instance.pk and self.instance.status in PUBLISHING_STATUSES:
            raise forms.ValidationError(
                "This article is published or archived: only editors may change it."
            )
        return cleaned
