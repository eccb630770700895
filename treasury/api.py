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
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel import serializers
from kernel.errors import InvalidInput
from kernel.ids import as_id, as_number
from kernel.money import currency
from treasury import selectors
from treasury.models import TransactionKind


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


class _Page(serializers.Serializer):
    next = serializers.URLField(
        allow_null=True, help_text="The next page (null on the last): follow it as it is."
    )


class TransactionPageSerializer(_Page):
    currency = serializers.CharField()
    results = TransactionSerializer(many=True)


class AccountPageSerializer(_Page):
    results = AccountSerializer(many=True)


class BudgetLinePageSerializer(_Page):
    currency = serializers.CharField()
    results = BudgetLineSerializer(many=True)


class TransactionFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=TransactionKind.choices, allow_blank=True, default="", help_text="Only this kind."
    )


def _limit(request, default=selectors.PAGE_SIZE) -> int:
    raw = request.query_params.get("limit")
    if raw in (None, ""):
        return default
    value = as_number(raw, minimum=1, maximum=selectors.MAX_PAGE_SIZE)
    if value is None:
        raise InvalidInput(f"limit must be a whole number from 1 to {selectors.MAX_PAGE_SIZE}.")
    return value


def _cursor(request, *, key: str) -> int | None:
    """The row a cursor points after (or before); None on the first page. A
    cursor that is not one we gave out is a 400."""
    raw = request.query_params.get("cursor")
    if not raw:
        return None
    value = as_id(selectors.decode_cursor(raw, key=key))
    if value is None:
        raise InvalidInput("This cursor is not valid; start again from the first page.")
    return value


def _after(request) -> int:
    return _cursor(request, key="after") or 0


def _next_url(request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    params = request.query_params.copy()
    params["cursor"] = cursor
    return request.build_absolute_uri(request.path + "?" + params.urlencode())


CURSOR_PARAMS = [
    OpenApiParameter("cursor", str, description="Opaque cursor from the previous page's `next`."),
    OpenApiParameter(
        "limit",
        {
            "type": "integer",
            "minimum": 1,
            "maximum": selectors.MAX_PAGE_SIZE,
            "default": selectors.PAGE_SIZE,
        },
        description="Items per page; outside this range is a 400.",
    ),
]


class PublicReadView(APIView):
    permission_classes = [AllowAny]
    http_method_names = ["get", "head", "options"]


class TransactionsView(PublicReadView):
    @extend_schema(
        parameters=[*CURSOR_PARAMS, TransactionFilterSerializer],
        responses=TransactionPageSerializer,
        summary="Posted transactions, newest first (keyset pagination)",
    )
    def get(self, request):
        _cursor(request, key="before")
        filters = TransactionFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = selectors.transactions_page(
            cursor=request.query_params.get("cursor"),
            limit=_limit(request),
            kind=filters.validated_data["kind"],
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
    @extend_schema(parameters=CURSOR_PARAMS, responses=AccountPageSerializer)
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
    @extend_schema(parameters=CURSOR_PARAMS, responses=BudgetLinePageSerializer)
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
