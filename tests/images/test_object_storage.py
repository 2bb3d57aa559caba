"""Pictures in S3-compatible object storage, as production keeps them:
against a real S3 API server (moto's) on loopback. CI starts one and
names it in COOPSITE_TEST_S3_ENDPOINT; without it, these tests start
their own."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from storages.backends.s3 import S3Storage

from coopsite.settings.base import media_storage
from images.models import Image
from tests import pictures
from tests.factories import ImageFactory, PublishedArticleFactory
from tests.pictures import upload
from tests.servers import free_port, wait_for

pytestmark = pytest.mark.django_db

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="session")
def s3_endpoint():
    """An S3 API on loopback: CI's, or one started here for the session."""
    if endpoint := os.environ.get("COOPSITE_TEST_S3_ENDPOINT"):
        yield endpoint
        return
    server = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    assert server, "moto_server is missing: pip install -e '.[test]'"
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [server, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(endpoint, process=process, timeout=30)
        yield endpoint
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """A fresh bucket, and the site's ``default`` storage pointed at it the
    way production settings do it (COOPSITE_MEDIA_STORAGE=s3)."""
    name = f"coopsite-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name="us-east-1", **CREDENTIALS
    )
    client.create_bucket(Bucket=name)
    # Published pictures are public: a bucket policy lets anyone read them
    # (README, "Pictures: where the files go").
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read(name)))
    for key, value in {
        "COOPSITE_S3_BUCKET": name,
        "COOPSITE_S3_ENDPOINT_URL": s3_endpoint,
        "COOPSITE_S3_REGION": "us-east-1",
        "COOPSITE_S3_ACCESS_KEY_ID": "testing",
        "COOPSITE_S3_SECRET_ACCESS_KEY": "testing",
        "COOPSITE_S3_ADDRESSING_STYLE": "path",
    }.items():
        monkeypatch.setenv(key, value)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage("s3")}
    return client, name


def public_read(name: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicReadPictures",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{name}/images/*",
            }
        ],
    }


def another_app_server(s3_endpoint, name) -> S3Storage:
    """A storage object of its own, as a second app server would have."""
    return S3Storage(
        bucket_name=name,
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        access_key="testing",
        secret_key="testing",
        addressing_style="path",
        querystring_auth=False,
    )


def test_an_upload_lands_in_the_bucket_with_its_renditions(
    bucket, editor_client, s3_endpoint
):
    client, name = bucket
    response = editor_client.post(
        "/admin/images/image/add/",
        {
            "upload": upload(pictures.jpeg_with_camera_data(1400, 900)),
            "title": "In the bucket",
            "alt_text": "A test picture",
        },
    )
    assert response.status_code == 302
    image = Image.objects.get()
    keys = {item["Key"] for item in client.list_objects_v2(Bucket=name)["Contents"]}
    assert keys == {image.file.name, *(r.name for r in image.renditions.all())}
    stored = client.get_object(Bucket=name, Key=image.file.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == image.checksum
    assert b"Spycam" not in stored  # camera data removed before storing

    # A second app server reads the same files.
    other = another_app_server(s3_endpoint, name)
    with other.open(image.file.name) as handle:
        assert handle.read() == stored
    webp = image.renditions.largest("full", "webp")
    assert other.exists(webp.name)


def test_rendition_addresses_answer_from_the_object_store(bucket, client):
    image = ImageFactory()
    article = PublishedArticleFactory(lead_image=image, body="Text.")
    html = client.get(article.get_absolute_url()).content.decode()
    webp = image.renditions.largest("full", "webp")
    assert webp.url.startswith(os.environ["COOPSITE_S3_ENDPOINT_URL"])
    assert webp.url in html
    for rendition in (webp, image.renditions.largest("full")):
        with urllib.request.urlopen(rendition.url, timeout=10) as response:  # noqa: S310 - loopback
            assert response.status == 200
            assert response.headers["Content-Type"] == rendition.mime_type


def test_deleting_an_unused_picture_removes_its_objects(
    bucket, editor_client, django_capture_on_commit_callbacks
):
    client, name = bucket
    image = ImageFactory()
    assert client.list_objects_v2(Bucket=name)["KeyCount"] > 0
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            f"/admin/images/image/{image.pk}/delete/", {"post": "yes"}
        )
    assert response.status_code == 302
    assert client.list_objects_v2(Bucket=name)["KeyCount"] == 0
