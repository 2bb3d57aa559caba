from django import forms
from django.utils.html import format_html

from .models import Image
from .uploads import clean_upload


class ImageForm(forms.ModelForm):
    """Upload a picture with its description, or change a picture's
    description (and, if need be, its file)."""

    upload = forms.FileField(
        label="Picture file",
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp"}
        ),
        help_text="A JPEG, PNG or WebP image. Camera data (including GPS "
        "position) is removed on upload.",
    )

    class Meta:
        model = Image
        fields = [
            "upload",
            "title",
            "alt_text",
            "caption",
            "credit",
            "licence",
            "focal_x",
            "focal_y",
        ]
        widgets = {
            "caption": forms.Textarea(attrs={"rows": 3}),
            "alt_text": forms.TextInput(attrs={"size": 80}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.clean_file = None
        if self.instance.pk is None:
            self.fields["upload"].required = True
            self.fields["title"].required = False
            self.fields["title"].help_text += " Left empty, the file's name is used."
        else:
            self.fields["upload"].label = "Replace the file"
            self.fields["upload"].help_text = (
                "Only to correct the picture itself (a better scan, a crop). "
                "Every article showing it shows the new file."
            )

    def clean_upload(self):
        uploaded = self.cleaned_data.get("upload")
        if not uploaded:
            return None
        self.clean_file = clean_upload(uploaded)
        duplicate = (
            Image.objects.filter(checksum=self.clean_file.checksum)
            .exclude(pk=self.instance.pk)
            .first()
        )
        if duplicate is not None:
            raise forms.ValidationError(
                format_html(
                    'This picture is already in the library: <a href="{}">{}</a>.',
                    duplicate.get_admin_url(),
                    duplicate,
                ),
                code="duplicate",
            )
        return uploaded

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("focal_x") is None) != (cleaned.get("focal_y") is None):
            raise forms.ValidationError(
                "Give the focal point both across and down, or neither.",
                code="focal_point",
            )
        if not cleaned.get("title") and cleaned.get("upload"):
            name = cleaned["upload"].name.rsplit("/", 1)[-1]
            cleaned["title"] = (name.rsplit(".", 1)[0] or name)[:255]
        return cleaned

    def description(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in (
                "title",
                "alt_text",
                "caption",
                "credit",
                "licence",
                "focal_x",
                "focal_y",
            )
        }
