"""The bulk downloads, served from storage: the list, each dated file, and
the latest of each kind."""

from __future__ import annotations

from django.http import FileResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from . import conditional, snapshots
from .views import ERRORS, NOT_MODIFIED, PublicAPIMixin, SnapshotShownMixin

CONTENT_TYPES = {
    snapshots.CSV_SUFFIX: "application/zip",
    snapshots.JSONL_SUFFIX: "application/gzip",
}
NO_SNAPSHOT = {
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="No such file, or none yet.")
}


class AnyContent(BaseContentNegotiation):
    """Files are what they are, whatever the client accepts."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _manifest():
    manifest = snapshots.latest_manifest()
    if manifest is None:
        raise NotFound("No snapshot has been made yet.")
    return manifest


class DownloadsView(SnapshotShownMixin, PublicAPIMixin, APIView):
    @extend_schema(
        summary="The bulk downloads: the latest snapshot and the ones kept",
        operation_id="downloads_list",
        responses={200: OpenApiTypes.OBJECT, **ERRORS, **NOT_MODIFIED, **NO_SNAPSHOT},
    )
    def get(self, request):
        manifest = _manifest()
        return Response(
            {
                **manifest.describe(request),
                "descriptions": manifest.descriptions,
                "latest": {
                    kind: request.build_absolute_uri(reverse(f"api:latest_{kind}"))
                    for kind in ("csv", "jsonl")
                },
                "previous": [
                    {
                        "generated_at": old["generated_at"],
                        "files": {
                            kind: request.build_absolute_uri(
                                reverse("api:download", kwargs={"name": f["name"]})
                            )
                            for kind, f in old["files"].items()
                        },
                    }
                    for old in manifest.previous
                ],
            }
        )


class LatestDownloadView(PublicAPIMixin, APIView):
    """The latest file of a kind: a redirect to its dated name."""

    content_negotiation_class = AnyContent
    conditional_get = False
    kind = "csv"

    @extend_schema(
        summary="Redirect to the latest file of this kind",
        responses={302: None, **ERRORS, **NO_SNAPSHOT},
    )
    def get(self, request):
        name = _manifest().files[self.kind]["name"]
        response = HttpResponseRedirect(
            request.build_absolute_uri(reverse("api:download", kwargs={"name": name}))
        )
        response.headers["Cache-Control"] = "no-cache"
        return response


class DownloadView(PublicAPIMixin, APIView):
    """One dated file of a snapshot, streamed from storage."""

    content_negotiation_class = AnyContent
    conditional_get = False  # the file's own checksum is its ETag

    @extend_schema(
        summary="One file of a snapshot (CSV zip or gzipped JSON Lines)",
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            (200, "application/gzip"): OpenApiTypes.BINARY,
            **NOT_MODIFIED,
            **ERRORS,
            **NO_SNAPSHOT,
        },
    )
    def get(self, request, name: str):
        described = _manifest().file_named(name)
        if described is None:
            raise NotFound("No such file: the list of downloads has their names.")
        etag = f'"{described["sha256"][:32]}"'
        store = snapshots.storage()
        path = described.get("path") or f"{snapshots.FOLDER}/{name}"
        try:
            modified = int(store.get_modified_time(path).timestamp())
        except (NotImplementedError, OSError):
            modified = None
        conditional.check(request, etag, modified)
        try:
            handle = store.open(path, "rb")
        except (FileNotFoundError, OSError):
            raise NotFound("This file is no longer kept.") from None
        content_type = next(
            (kind for suffix, kind in CONTENT_TYPES.items() if name.endswith(suffix)),
            "application/octet-stream",
        )
        response = FileResponse(
            handle, as_attachment=True, filename=name, content_type=content_type
        )
        response.headers["Content-Length"] = str(described["size"])
        response.headers["ETag"] = etag
        if modified is not None:
            response.headers["Last-Modified"] = http_date(modified)
        response.headers["Cache-Control"] = "public, max-age=86400, immutable"
        return response
