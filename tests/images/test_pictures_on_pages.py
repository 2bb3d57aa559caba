"""Library pictures on the public site: lead pictures on the article page,
its cards, link previews, JSON-LD and the feed; pictures in the body by
number; renditions with srcset, width and height."""

import json
import re

import feedparser
import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as PILImage

from articles.markdown import render_markdown
from images.models import Image
from images.renditions import make_renditions
from tests import pictures
from tests.factories import ArticleFactory, ImageFactory, PublishedArticleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.long(4)]


def img_tags(html: str) -> list[str]:
    return re.findall(r"<img [^>]*>", html)


def attribute(tag: str, name: str) -> str:
    match = re.search(rf'\s{name}="([^"]*)"', tag)
    return match.group(1) if match else None


def test_a_body_picture_by_number_becomes_a_figure_with_srcset_and_its_size():
    image = ImageFactory(
        content=pictures.jpeg_bytes(2400, 1600),
        alt_text="A drone on a runway",
        caption="Library caption",
        credit="Photo: A. Person",
    )
    html = render_markdown(f'Before.\n\n![](image:{image.pk} "At Çorlu")\n\nAfter.')
    assert "<figure" in html
    assert "<p><figure" not in html
    (tag,) = img_tags(html)
    assert attribute(tag, "alt") == "A drone on a runway"
    assert (attribute(tag, "width"), attribute(tag, "height")) == ("1920", "1280")
    assert attribute(tag, "loading") == "lazy"
    widths = re.findall(r" (\d+)w", attribute(tag, "srcset"))
    assert widths == ["320", "640", "960", "1280", "1920"]
    assert '<source type="image/webp"' in html
    assert '<figcaption>At Çorlu <span class="credit">Photo: A. Person</span>' in html


def test_the_alt_text_written_in_the_body_replaces_the_librarys():
    image = ImageFactory(alt_text="Library alt")
    html = render_markdown(f"![Alt for this essay](image:{image.pk})")
    assert attribute(img_tags(html)[0], "alt") == "Alt for this essay"
    assert attribute(img_tags(html)[0], "loading") == "eager"  # first block


def test_a_picture_inside_a_sentence_is_shown_inline_without_a_figure():
    image = ImageFactory()
    html = render_markdown(f"The map ![a map](image:{image.pk}) shows it.")
    assert "<figure" not in html
    assert html.startswith("<p>The map <picture>")


def test_pictures_from_other_sites_and_unknown_numbers_show_only_their_alt_text():
    html = render_markdown(
        "![A tank](https://example.org/tank.jpg)\n\n![A ship](image:999999)"
    )
    assert "<img" not in html
    assert "example.org" not in html
    assert "<p>A tank</p>" in html
    assert "<p>A ship</p>" in html


def test_a_hostile_alt_text_caption_and_credit_stay_text():
    payload = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    image = ImageFactory(alt_text=payload, caption=payload, credit=payload)
    html = render_markdown(f"![](image:{image.pk})\n\n![{payload}](image:{image.pk})")
    assert "<script" not in html
    assert "<img src=x" not in html
    assert html.count("<img ") == 2
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 6


def test_a_picture_smaller_than_every_width_is_shown_at_its_own_size():
    image = ImageFactory(content=pictures.png_bytes(300, 200, mode="RGBA"))
    rendition = image.renditions.largest("full")
    assert (rendition.width, rendition.height, rendition.format) == (300, 200, "png")
    assert image.renditions.of("full", "webp")[-1].width == 300


def test_a_picture_read_back_from_the_database_finds_its_renditions():
    image = ImageFactory(focal_x=50, focal_y=25)
    fresh = Image.objects.get(pk=image.pk)
    assert fresh.renditions.all() == image.renditions.all()
    assert all(default_storage.exists(r.name) for r in fresh.renditions.all())


def test_renditions_are_made_once_and_remade_when_the_focal_point_moves():
    image = ImageFactory(content=pictures.jpeg_bytes(1600, 800))
    assert make_renditions(image) == 0  # all made at upload
    old_card = image.renditions.largest("card").name
    image.focal_x, image.focal_y = 10, 50
    image.save()
    del image.renditions
    assert make_renditions(image) == len(image.renditions.all())
    assert image.renditions.largest("card").name != old_card
    assert not default_storage.exists(old_card)


def test_the_card_crop_keeps_the_focal_point_in_view():
    # A wide picture, white on its left tenth: a crop centred there is white.
    picture = PILImage.new("RGB", (3000, 1000), (0, 0, 0))
    picture.paste((255, 255, 255), (0, 0, 300, 1000))
    image = ImageFactory(
        content=pictures.encoded(picture, "PNG"), focal_x=5, focal_y=50
    )
    card = image.renditions.largest("card")
    with default_storage.open(card.name) as handle:
        made = PILImage.open(handle).convert("RGB")
    assert made.getpixel((5, made.height // 2)) == (255, 255, 255)
    assert card.width / card.height == pytest.approx(1.5, abs=0.01)


def test_article_page_shows_the_lead_picture_and_link_previews_carry_it(client):
    lead = ImageFactory(content=pictures.jpeg_bytes(2000, 1200), alt_text="Lead alt")
    body = ImageFactory(alt_text="Body alt")
    article = PublishedArticleFactory(
        lead_image=lead, body=f"Intro.\n\n![](image:{body.pk})\n"
    )
    html = client.get(article.get_absolute_url()).content.decode()
    tags = img_tags(html)
    assert [attribute(t, "alt") for t in tags] == ["Lead alt", "Body alt"]
    assert attribute(tags[0], "loading") == "eager"
    assert attribute(tags[0], "fetchpriority") == "high"
    assert attribute(tags[1], "loading") == "lazy"
    social = lead.renditions.largest("social")
    assert (social.width, social.height) == (1200, 630)
    assert f'<meta property="og:image" content="http://testserver{social.url}">' in html
    assert '<meta property="og:image:alt" content="Lead alt">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    data = json.loads(
        re.search(
            r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S
        ).group(1)
    )
    assert data["image"][0]["url"] == f"http://testserver{social.url}"
    assert (data["image"][0]["width"], data["image"][0]["height"]) == (1200, 630)


def test_a_chosen_social_picture_and_description_replace_the_defaults(client):
    article = PublishedArticleFactory(
        lead_image=ImageFactory(),
        social_image=ImageFactory(alt_text="Social alt"),
        meta_description="For the cards.",
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<meta property="og:image:alt" content="Social alt">' in html
    assert '<meta property="og:description" content="For the cards.">' in html


def test_rendition_addresses_answer_with_an_image_type(client):
    image = ImageFactory()
    for rendition in image.renditions.all():
        response = client.get(rendition.url)
        assert response.status_code == 200
        assert response["Content-Type"] == rendition.mime_type


def test_cards_show_the_lead_picture_crop(client):
    lead = ImageFactory(alt_text="Card alt")
    PublishedArticleFactory(lead_image=lead)
    html = client.get("/articles/").content.decode()
    (tag,) = img_tags(html)
    assert attribute(tag, "alt") == "Card alt"
    assert "/card-" in attribute(tag, "src")


def test_the_feed_carries_the_lead_picture_as_an_enclosure(client):
    lead = ImageFactory()
    PublishedArticleFactory(lead_image=lead)
    feed = feedparser.parse(client.get("/feeds/articles/").content)
    (enclosure,) = feed.entries[0].enclosures
    assert enclosure.href == f"http://testserver{lead.file.url}"
    assert enclosure.type == "image/jpeg"
    assert int(enclosure.length) == lead.file_size


def test_the_usage_index_counts_lead_social_and_body_uses_once_per_article():
    image, other = ImageFactory(), ImageFactory()
    ArticleFactory(lead_image=image, body=f"![](image:{image.pk})")
    ArticleFactory(social_image=image)
    ArticleFactory(body=f"![](image:{other.pk})")
    usage = dict(Image.objects.with_usage().values_list("pk", "usage"))
    assert usage == {image.pk: 2, other.pk: 1}


def test_editing_the_body_updates_the_usage_index():
    image = ImageFactory()
    article = ArticleFactory(body=f"![](image:{image.pk})")
    assert list(article.body_images.all()) == [image]
    article.body = "No picture now."
    article.save()
    assert not article.body_images.exists()


def test_a_new_article_without_pictures_asks_nothing_of_the_picture_tables():
    with CaptureQueriesContext(connection) as queries:
        article = ArticleFactory(body="Words only.")
    tables = (Image._meta.db_table, article.body_images.through._meta.db_table)
    assert not [q for q in queries if any(table in q["sql"] for table in tables)]


def test_an_upload_finds_the_bodies_that_named_it_ahead_without_reading_bodies(client):
    """An article may name ``image:N`` before picture N exists. Its upload
    and later edits find that article by the usage index, never by reading
    every body (a scan of all articles per upload at full size); the page
    shows the picture from the upload on."""
    next_number = ImageFactory().pk + 1
    ahead = PublishedArticleFactory(body=f"![A chart](image:{next_number})\n\nText.")
    similar = PublishedArticleFactory(body=f"![Other](image:{next_number}0)")
    assert "<img" not in client.get(ahead.get_absolute_url()).text

    with CaptureQueriesContext(connection) as queries:
        picture = ImageFactory(alt_text="Exports by year")
        picture.caption = "Corrected"
        picture.save()
    assert picture.pk == next_number
    reading_bodies = [
        # "body" LIKE on SQLite, "body"::text LIKE on PostgreSQL
        q["sql"]
        for q in queries
        if re.search(r'"body"(::\w+)?\s+LIKE', q["sql"], re.I)
    ]
    assert reading_bodies == []

    page = client.get(ahead.get_absolute_url()).text
    assert "/media/images/" in page
    assert 'alt="A chart"' in page
    assert "Corrected" in page
    assert list(ahead.body_images.all()) == [picture]
    assert not similar.body_images.exists()  # image:{N}0 is another number
    usage = dict(Image.objects.with_usage().values_list("pk", "usage"))
    assert usage[picture.pk] == 1


def test_a_body_that_stops_naming_a_waiting_number_forgets_it():
    next_number = ImageFactory().pk + 1
    article = ArticleFactory(body=f"![](image:{next_number})")
    article.body = "No picture now."
    article.save()
    picture = ImageFactory()
    assert picture.pk == next_number
    assert not article.body_images.exists()
    assert Image.objects.with_usage().get(pk=picture.pk).usage == 0


def test_a_number_past_any_picture_is_kept_waiting_and_the_article_saves():
    # A typo of eleven digits names no picture there will be for long; the
    # article saves all the same (the admin warns of the missing picture).
    article = ArticleFactory(body="Intro.\n\n![Chart](image:12345678901)")
    article.refresh_from_db()
    assert "image:12345678901" in article.body
    assert not article.body_images.exists()
