"""Read-only API of the public treasury, with keyset (cursor) pagination, and
the streamed ledger exports. Money is written only through the treasurer pages
(services); every write method here is refused."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.errors import InvalidInput
from treasury import selectors
from treasury.money import currency


class PostingSerializer(serializers.Serializer):
    account = serializers.CharField(source="account.code")
    fund = serializers.CharField(source="fund.slug")
    amount = serializers.IntegerField(source="amount_cents")


class ReceiptSerializer(serializers.Serializer):
    sha256 = serializers.CharField()
    is_public = serializers.BooleanField()
    withheld_reason = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, receipt) -> str | None:
        if not receipt.is_public:
            return None
        request = self.context.get("request")
        path = reverse("treasury:receipt", args=[receipt.pk])
        return request.build_absolute_uri(path) if request else path


class TransactionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    date = serializers.DateField()
    description = serializers.CharField()
    kind = serializers.CharField()
    method = serializers.CharField()
    counterparty = serializers.CharField(source="public_counterparty")
    external_reference = serializers.CharField()
    postings = PostingSerializer(many=True)
    proposal = serializers.IntegerField(source="proposal_id", allow_null=True)
    budget_line = serializers.IntegerField(source="budget_line_id", allow_null=True)
    receipt = ReceiptSerializer(allow_null=True)
    reverses = serializers.IntegerField(source="reverses_id", allow_null=True)
    reason = serializers.CharField()
    ledger_seq = serializers.IntegerField(source="ledger_entry.seq")
    ledger_hash = serializers.CharField(source="ledger_entry.hash")


class AccountSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()
    budget_line = serializers.IntegerField(source="budget_line_id", allow_null=True)


class BudgetLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="line.pk")
    purpose = serializers.CharField(source="line.purpose")
    proposal = serializers.IntegerField(source="line.proposal_id")
    fund = serializers.CharField(source="line.fund.slug")
    allocated = serializers.IntegerField(source="line.amount_cents")
    spent = serializers.IntegerField(source="spent_cents")
    pending = serializers.IntegerField(source="pending_cents")
    remaining = serializers.IntegerField(source="remaining_cents")


def _limit(request, default=selectors.PAGE_SIZE) -> int:
    raw = request.query_params.get("limit")
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise InvalidInput("limit must be a whole number.") from exc
    if not 1 <= value <= selectors.MAX_PAGE_SIZE:
        raise InvalidInput(f"limit must be between 1 and {selectors.MAX_PAGE_SIZE}.")
    return value


def _after(request) -> int:
    raw = request.query_params.get("cursor")
    if not raw:
        return 0
    value = selectors.decode_cursor(raw, key="after")
    if value is None:
        raise InvalidInput("This cursor is not valid; start again from the first page.")
    return value


def _next_url(request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    params = request.query_params.copy()
    params["cursor"] = cursor
    return request.build_absolute_uri(request.path + "?" + params.urlencode())


CURSOR_PARAMS = [
    OpenApiParameter("cursor", str, description="Opaque cursor from the previous page's `next`."),
    OpenApiParameter("limit", int, description=f"1–{selectors.MAX_PAGE_SIZE}, default 50."),
]


class PublicReadView(APIView):
    permission_classes = [AllowAny]
    http_method_names = ["get", "head", "options"]


class TransactionsView(PublicReadView):
    @extend_schema(
        parameters=[*CURSOR_PARAMS, OpenApiParameter("kind", str)],
        responses=TransactionSerializer(many=True),
        summary="Posted transactions, newest first (keyset pagination)",
    )
    def get(self, request):
        cursor = request.query_params.get("cursor")
        if cursor and selectors.decode_cursor(cursor) is None:
            raise InvalidInput("This cursor is not valid; start again from the first page.")
        page = selectors.transactions_page(
            cursor=cursor, limit=_limit(request), kind=request.query_params.get("kind", "")
        )
        return Response(
            {
                "currency": currency(),
                "results": TransactionSerializer(
                    page.items, many=True, context={"request": request}
                ).data,
                "next": _next_url(request, page.next_cursor),
            }
        )


class AccountsView(PublicReadView):
    @extend_schema(parameters=CURSOR_PARAMS, responses=AccountSerializer(many=True))
    def get(self, request):
        limit = _limit(request)
        items = selectors.accounts_after(after=_after(request), limit=limit + 1)
        more = len(items) > limit
        items = items[:limit]
        return Response(
            {
                "results": AccountSerializer(items, many=True).data,
                "next": _next_url(
                    request, selectors.encode_cursor(items[-1].pk, key="after") if more else None
                ),
            }
        )


class BudgetLinesView(PublicReadView):
    @extend_schema(parameters=CURSOR_PARAMS, responses=BudgetLineSerializer(many=True))
    def get(self, request):
        limit = _limit(request)
        items = selectors.budget_lines_after(after=_after(request), limit=limit + 1)
        more = len(items) > limit
        items = items[:limit]
        return Response(
            {
                "currency": currency(),
                "results": BudgetLineSerializer(items, many=True).data,
                "next": _next_url(
                    request,
                    selectors.encode_cursor(items[-1].line.pk, key="after") if more else None,
                ),
            }
        )


class SummaryView(PublicReadView):
    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Balances, budget lines, monthly flows")
    def get(self, request):
        return Response({"currency": currency(), **selectors.summary()})


class TextRenderer(BaseRenderer):
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


class JSONLinesRenderer(TextRenderer):
    media_type = "application/x-ndjson"
    format = "jsonl"


class CSVRenderer(TextRenderer):
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


class ExportView(PublicReadView):
    fmt = "jsonl"
    content_type = "application/x-ndjson"

    def get(self, request):
        seq, head_hash = selectors.ledger_head()
        if isinstance(request._request, ASGIRequest):
            content = _async_export(self.fmt, seq)
        else:
            content = selectors.export_lines(fmt=self.fmt, through=seq)
        response = StreamingHttpResponse(content, content_type=self.content_type)
        response["Content-Disposition"] = f'attachment; filename="treasury-ledger.{self.fmt}"'
        response["X-Ledger-Head"] = f"{seq}:{head_hash}"
        return response


class ExportJSONLinesView(ExportView):
    fmt = "jsonl"
    content_type = "application/x-ndjson; charset=utf-8"
    renderer_classes = [JSONLinesRenderer, JSONRenderer]

    @extend_schema(
        responses={
            (200, "application/x-ndjson"): OpenApiResponse(
                OpenApiTypes.STR,
                description="One compact JSON object per line (seq, at, kind, actor, payload, "
                "prev, hash). Verify offline: python chain.py verify treasury-ledger.jsonl",
            )
        },
        summary="The ledger hash chain as JSON Lines",
    )
    def get(self, request):
        return super().get(request)


class ExportCSVView(ExportView):
    fmt = "csv"
    content_type = "text/csv; charset=utf-8"
    renderer_classes = [CSVRenderer, JSONRenderer]

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="seq, at, kind, actor, payload (compact JSON), prev, hash",
            )
        },
        summary="The ledger hash chain as CSV",
    )
    def get(self, request):
        return super().get(request)
