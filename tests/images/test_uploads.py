"""What enters the picture library: real pictures only, within limits,
described, and without the camera's metadata."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image as PILImage

from images.models import Image
from images.uploads import clean_upload
from tests import pictures
from tests.pictures import upload

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/images/image/add/"


def post_picture(client, content, name="runway.jpg", **fields):
    data = {
        "upload": upload(content, name=name),
        "title": "",
        "alt_text": "A grey drone on a runway",
        "caption": "",
        "credit": "",
        "licence": "",
        "focal_x": "",
        "focal_y": "",
        **fields,
    }
    return client.post(ADD_URL, data)


def test_editor_uploads_a_jpeg_and_it_is_stored_with_its_renditions(editor_client):
    response = post_picture(editor_client, pictures.jpeg_bytes(1600, 1000))
    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.title, image.format, image.width, image.height) == (
        "runway",
        "jpeg",
        1600,
        1000,
    )
    assert image.uploaded_by.username == "editor"
    assert image.file.name.endswith(".jpg")
    for rendition in image.renditions.all():
        with image.file.storage.open(rendition.name) as handle:
            made = PILImage.open(handle)
            assert made.size == (rendition.width, rendition.height)
            assert (
                made.format
                == {"webp": "WEBP", "jpeg": "JPEG", "png": "PNG"}[rendition.format]
            )


def test_a_file_that_claims_to_be_a_jpeg_but_is_not_is_refused_with_a_form_error(
    editor_client,
):
    response = post_picture(
        editor_client, b"<html><script>alert(1)</script></html>", name="photo.jpg"
    )
    assert response.status_code == 200
    assert "is not a picture this site can show" in str(
        response.context["adminform"].form.errors["upload"]
    )
    assert not Image.objects.exists()


def test_a_gif_named_jpg_is_refused_by_its_real_type(editor_client):
    gif = pictures.encoded(pictures.drawing(200, 100).convert("P"), "GIF")
    response = post_picture(editor_client, gif, name="photo.jpg")
    assert "This is a GIF file" in str(
        response.context["adminform"].form.errors["upload"]
    )
    assert not Image.objects.exists()


def test_a_decompression_bomb_is_refused_as_too_large(editor_client):
    """20,000 × 20,000 pixels in a few kilobytes: past Pillow's own limit,
    and said as what it is."""
    bomb = pictures.encoded(PILImage.new("1", (20_000, 20_000)), "PNG")
    response = post_picture(editor_client, bomb, name="bomb.png")
    errors = str(response.context["adminform"].form.errors["upload"])
    assert "This picture is too large: at most 50 megapixels" in errors


def test_a_60_megapixel_picture_is_refused_before_it_is_decoded(editor_client):
    huge = pictures.encoded(PILImage.new("L", (10_000, 6_000)), "PNG")
    response = post_picture(editor_client, huge, name="huge.png")
    errors = str(response.context["adminform"].form.errors["upload"])
    assert "too large (10,000 × 6,000 pixels): at most 50 megapixels" in errors
    assert not Image.objects.exists()


def test_a_long_infographic_is_accepted_and_made_narrower_not_taller(editor_client):
    # 100 times as tall as it is wide, the most a picture may be: at its own
    # width it would be 20,000 pixels tall, more than WebP holds on a side.
    tall = pictures.encoded(pictures.drawing(200, 20_000), "PNG")
    response = post_picture(editor_client, tall, name="timeline.png")
    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height) == (200, 20_000)
    full = image.renditions.of("full", "webp")
    assert [(r.width, r.height) for r in full] == [(163, 16_300)]
    for rendition in image.renditions.all():
        with image.file.storage.open(rendition.name) as handle:
            assert PILImage.open(handle).size == (rendition.width, rendition.height)
        assert max(rendition.width, rendition.height) <= 16_383


@pytest.mark.parametrize("size", [(1, 60_000), (60_000, 1), (101, 10_201)])
def test_a_strip_longer_than_a_hundred_times_its_width_is_refused(editor_client, size):
    strip = pictures.encoded(PILImage.new("L", size), "PNG")
    response = post_picture(editor_client, strip, name="strip.png")
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors["upload"])
    width, height = size
    assert f"{width:,} × {height:,} pixels: one side may be at most 100" in errors
    assert not Image.objects.exists()


def test_a_file_over_the_size_limit_is_refused(editor_client, settings):
    settings.COOPSITE_IMAGE_MAX_BYTES = 10_000
    response = post_picture(editor_client, pictures.jpeg_bytes(1600, 1000))
    assert "pictures may be at most" in str(
        response.context["adminform"].form.errors["upload"]
    )
    assert not Image.objects.exists()


def test_alt_text_is_required(editor_client):
    response = post_picture(editor_client, pictures.jpeg_bytes(), alt_text="  ")
    assert response.context["adminform"].form.errors["alt_text"] == [
        "This field is required."
    ]
    assert not Image.objects.exists()


def test_the_same_picture_twice_is_refused_with_a_link_to_the_first(editor_client):
    content = pictures.jpeg_bytes()
    post_picture(editor_client, content)
    response = post_picture(editor_client, content, name="again.jpg")
    assert "already in the library" in str(
        response.context["adminform"].form.errors["upload"]
    )
    assert Image.objects.count() == 1


def test_camera_data_and_gps_position_are_removed_and_the_picture_turned_upright(
    editor_client,
):
    # Orientation 6: the camera was turned; the stored file is upright.
    post_picture(editor_client, pictures.jpeg_with_camera_data(1200, 800, 6))
    image = Image.objects.get()
    with image.file.open("rb") as handle:
        stored = PILImage.open(io.BytesIO(handle.read()))
    assert dict(stored.getexif()) == {}
    assert b"Spycam" not in image.file.storage.open(image.file.name).read()
    assert (image.width, image.height) == stored.size == (800, 1200)


def test_a_pictures_comment_is_stored_in_neither_the_file_nor_its_renditions(
    editor_client,
):
    """A JPEG comment is anyone's text (a polyglot's script): gone from
    the original kept and from every rendition made of it."""
    payload = b"<script>alert('comment')</script>"
    post_picture(editor_client, pictures.jpeg_bytes(800, 500, comment=payload))
    image = Image.objects.get()
    storage = image.file.storage
    names = [image.file.name, *(r.name for r in image.renditions.all())]
    assert len(names) > 1
    for name in names:
        with storage.open(name) as handle:
            assert b"alert(" not in handle.read(), name


def test_a_jpeg_without_rotation_keeps_its_quantisation_tables():
    original = pictures.jpeg_with_camera_data(1200, 800, 1)
    cleaned = clean_upload(upload(original))
    before = PILImage.open(io.BytesIO(original)).quantization
    after = PILImage.open(io.BytesIO(cleaned.content)).quantization
    assert before == after
    assert PILImage.open(io.BytesIO(cleaned.content)).getexif() == {}


@pytest.mark.parametrize(
    ("content", "fmt", "alpha"),
    [
        (pictures.png_bytes(mode="RGBA"), "png", True),
        (pictures.png_bytes(mode="RGB"), "png", False),
        (pictures.webp_bytes(), "webp", False),
    ],
)
def test_png_and_webp_are_accepted(content, fmt, alpha):
    cleaned = clean_upload(upload(content, name="x.bin"))
    assert (cleaned.format, cleaned.has_alpha) == (fmt, alpha)


def test_an_animated_picture_is_refused():
    frames = [pictures.drawing(100, 100, color=(i * 40, 0, 0)) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:])
    with pytest.raises(ValidationError, match="Animated pictures"):
        clean_upload(upload(out.getvalue(), name="a.webp"))


def test_a_truncated_jpeg_is_refused_as_damaged():
    content = pictures.jpeg_bytes()
    with pytest.raises(ValidationError) as caught:
        clean_upload(upload(content[: len(content) // 2]))
    assert caught.value.code in {"damaged", "not_an_image"}
