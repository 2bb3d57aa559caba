"""The picture library: every picture an article shows is uploaded here
once, described once (alt text, caption, credit, licence) and shown in
renditions made for each place it appears (see ``renditions.py``)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import cached_property


class ImageFormat(models.TextChoices):
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"
    WEBP = "webp", "WebP"


EXTENSIONS: dict[str, str] = {
    ImageFormat.JPEG: "jpg",
    ImageFormat.PNG: "png",
    ImageFormat.WEBP: "webp",
}
MIME_TYPES: dict[str, str] = {
    ImageFormat.JPEG: "image/jpeg",
    ImageFormat.PNG: "image/png",
    ImageFormat.WEBP: "image/webp",
}


class ImageQuerySet(models.QuerySet):
    def with_usage(self) -> ImageQuerySet:
        """Each picture with ``usage``: how many articles show it (as lead
        picture, social picture or in the body), counted in the database."""
        from articles.models import Article

        using = (
            Article.objects.filter(
                Q(lead_image=OuterRef("pk"))
                | Q(social_image=OuterRef("pk"))
                | Q(body_images=OuterRef("pk"))
            )
            .order_by()
            .annotate(one=Value(1))
            .values("one")
            .annotate(n=Count("pk", distinct=True))
            .values("n")
        )
        return self.annotate(usage=Coalesce(Subquery(using), 0))


def original_name(instance: Image, filename: str) -> str:
    # The name is chosen by the upload service (services.image_upload).
    return filename


class Image(models.Model):
    title = models.CharField(
        max_length=255,
        help_text="How the library lists the picture; not shown to readers.",
    )
    file = models.ImageField(
        upload_to=original_name,
        max_length=255,
        help_text="JPEG, PNG or WebP. Its metadata (camera, place) is removed "
        "on upload.",
    )
    width = models.PositiveIntegerField(editable=False)
    height = models.PositiveIntegerField(editable=False)
    format = models.CharField(max_length=4, choices=ImageFormat.choices, editable=False)
    has_alpha = models.BooleanField("has transparency", default=False, editable=False)
    file_size = models.PositiveIntegerField("size in bytes", editable=False)
    checksum = models.CharField(
        max_length=64, editable=False, help_text="SHA-256 of the stored file."
    )
    alt_text = models.CharField(
        "alt text",
        max_length=300,
        help_text="What the picture shows, for readers who cannot see it "
        "(screen readers, slow connections). Required.",
    )
    caption = models.TextField(
        blank=True,
        max_length=1000,
        help_text="Shown under the picture. Plain text.",
    )
    credit = models.CharField(
        max_length=255, blank=True, help_text="Who made it, e.g. “Photo: Jane Doe”."
    )
    licence = models.CharField(
        max_length=255,
        blank=True,
        help_text="Under what terms we use it, e.g. “CC BY 4.0” or “With permission”.",
    )
    focal_x = models.FloatField(
        "focal point across (%)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Where the picture's subject is, from the left edge (0–100). "
        "Cropped versions (cards, social previews) keep it in view.",
    )
    focal_y = models.FloatField(
        "focal point down (%)",
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="From the top edge (0–100).",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="uploaded_images",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ImageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "picture"
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=ImageFormat.values), name="image_format_known"
            ),
            models.CheckConstraint(
                condition=Q(focal_x__isnull=True, focal_y__isnull=True)
                | Q(
                    focal_x__gte=0,
                    focal_x__lte=100,
                    focal_y__gte=0,
                    focal_y__lte=100,
                ),
                name="image_focal_point_inside",
            ),
            models.CheckConstraint(
                condition=~Q(alt_text=""), name="image_alt_text_required"
            ),
        ]

    def __str__(self):
        return f"{self.title} (#{self.pk})"

    def get_absolute_url(self):
        """The original file, as stored."""
        return self.file.url

    def get_admin_url(self):
        return reverse("admin:images_image_change", args=[self.pk])

    @property
    def focal_point(self) -> tuple[float, float]:
        """The focal point as fractions of width and height (the centre if unset)."""
        if self.focal_x is None or self.focal_y is None:
            return (0.5, 0.5)
        return (self.focal_x / 100, self.focal_y / 100)

    @property
    def markdown(self) -> str:
        """What to paste into an article's body to show this picture."""
        return f"![{self.alt_text}](image:{self.pk})"

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]

    @cached_property
    def renditions(self):
        from .renditions import RenditionSet

        return RenditionSet(self)
