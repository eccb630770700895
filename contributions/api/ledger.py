"""The time ledger: its head, its public accounts and its exports, in the
shapes of the journal's (`/api/v1/contributions/ledger/…`)."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from contributions import selectors
from contributions.api.serializers import LedgerHeadSerializer, PublicAccountSerializer


def _head() -> dict:
    seq, digest = selectors.time_head()
    return {"seq": seq, "hash": digest, "head": f"{seq}:{digest}"}


class LedgerHead(APIView):
    permission_classes = [AllowAny]
    http_method_names = ["get", "head", "options"]

    @extend_schema(responses=LedgerHeadSerializer, summary="The time ledger's head")
    def get(self, request):
        return Response(_head())


class LedgerAccounts(APIView):
    permission_classes = [AllowAny]
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        responses=PublicAccountSerializer(many=True),
        summary="Who each account of the time ledger is, where they may be named",
    )
    def get(self, request):
        return Response(selectors.public_accounts())


class _TextRenderer(BaseRenderer):
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


class JSONLinesRenderer(_TextRenderer):
    media_type = "application/x-ndjson"
    format = "jsonl"


class CSVRenderer(_TextRenderer):
    media_type = "text/csv"
    format = "csv"


async def _async_export(fmt: str, through: int):
    """Under ASGI, read in keyset chunks in the sync thread, so it streams."""
    if fmt == "csv":
        yield selectors.CSV_HEADER
    after = 0
    while True:
        text, after = await sync_to_async(selectors.export_chunk)(
            after=after, through=through, fmt=fmt
        )
        if not text:
            return
        yield text


class _Export(APIView):
    permission_classes = [AllowAny]
    http_method_names = ["get", "head", "options"]
    fmt = "jsonl"
    content_type = "application/x-ndjson; charset=utf-8"

    def get(self, request):
        seq, digest = selectors.time_head()
        if isinstance(request._request, ASGIRequest):
            content = _async_export(self.fmt, seq)
        else:
            content = selectors.export_lines(fmt=self.fmt, through=seq)
        response = StreamingHttpResponse(content, content_type=self.content_type)
        response["Content-Disposition"] = f'attachment; filename="time-ledger.{self.fmt}"'
        response["X-Ledger-Head"] = f"{seq}:{digest}"
        return response


class LedgerExportJSONLines(_Export):
    renderer_classes = [JSONLinesRenderer, JSONRenderer]

    @extend_schema(
        responses={
            (200, "application/x-ndjson"): OpenApiResponse(
                OpenApiTypes.STR,
                description="One compact JSON object per line (seq, at, kind, actor, payload, "
                "prev, hash). Verify offline: python chain.py verify time-ledger.jsonl",
            )
        },
        summary="The time ledger's hash chain as JSON Lines",
    )
    def get(self, request):
        return super().get(request)


class LedgerExportCSV(_Export):
    fmt = "csv"
    content_type = "text/csv; charset=utf-8"
    renderer_classes = [CSVRenderer, JSONRenderer]

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="One row per entry: seq, at, kind, actor, transfer, minutes, hours "
                "(decimal), credits (decimal), from, to (account references), hash",
            )
        },
        summary="The time ledger as a spreadsheet (CSV)",
    )
    def get(self, request):
        return super().get(request)
