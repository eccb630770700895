"""Read-only API of the public governance record.

Bylaws change only by enactment of a passed proposal; every write method on
the bylaws endpoints is refused (403) and, for a logged-in person, journaled
as a refused attempt."""

from __future__ import annotations

from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from governance import selectors, services
from governance.errors import GuardViolation
from governance.models import BylawArticle
from kernel import serializers
from kernel.errors import InvalidInput, NotFound
from kernel.ids import MAX_ID, as_number
from kernel.serializers import error_responses

WRITE_REFUSED = gettext_lazy(
    "Bylaws change only by enactment of a passed proposal: submit an amendment proposal, "
    "and if the members pass it, it is enacted after its timelock."
)


class BylawVersionSerializer(serializers.Serializer):
    article = serializers.CharField(source="article.slug")
    position = serializers.IntegerField(source="article.position")
    number = serializers.IntegerField()
    title = serializers.CharField()
    article_class = serializers.CharField()
    is_entrenched = serializers.BooleanField()
    text = serializers.CharField()
    parameters = serializers.JSONField(allow_null=True)
    enacted_by = serializers.IntegerField(source="enacted_by_id", allow_null=True)
    enacted_at = serializers.DateTimeField()


class JournalEntrySerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    at = serializers.CharField()
    kind = serializers.CharField()
    actor = serializers.CharField()
    payload = serializers.JSONField()
    prev = serializers.CharField()
    hash = serializers.CharField()


class JournalFilterSerializer(serializers.Serializer):
    kind = serializers.CharField(
        allow_blank=True, default="", help_text="Only entries of this kind."
    )


class JournalHeadSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    hash = serializers.CharField()
    head = serializers.CharField(help_text="SEQ:HASH, as chain.py --expect-head takes it")


class JournalPageSerializer(serializers.Serializer):
    results = JournalEntrySerializer(many=True)
    next = serializers.URLField(allow_null=True)
    head = JournalHeadSerializer()


_REFUSED = error_responses({403: f"{WRITE_REFUSED} (code `bylaw_guard`)"})


def operation_ids(prefix: str):
    """One operation id per endpoint and method (`bylaw_put`): the refused
    writes share their code, so the generated ids would collide."""
    methods = ("get", "post", "put", "patch", "delete")
    return extend_schema_view(
        **{method: extend_schema(operation_id=f"{prefix}_{method}") for method in methods}
    )


class ReadOnlyBylawsView(APIView):
    """GET works for everyone; every write is refused with the reason, on record."""

    permission_classes = [AllowAny]

    def guard_target(self, **kwargs) -> str:
        slug = kwargs.get("slug")
        return f"bylaw:{slug}" if slug else "bylaws"

    def refuse(self, request, **kwargs):
        message = str(WRITE_REFUSED)
        services.record_guard_attempt(
            actor=request.user,
            path="api",
            target=self.guard_target(**kwargs),
            reason=f"{request.method} {request.path}: {message}",
        )
        raise GuardViolation(message)

    @extend_schema(request=None, responses=_REFUSED, summary="Refused: bylaws are read-only")
    def post(self, request, **kwargs):
        return self.refuse(request, **kwargs)

    @extend_schema(request=None, responses=_REFUSED, summary="Refused: bylaws are read-only")
    def put(self, request, **kwargs):
        return self.refuse(request, **kwargs)

    @extend_schema(request=None, responses=_REFUSED, summary="Refused: bylaws are read-only")
    def patch(self, request, **kwargs):
        return self.refuse(request, **kwargs)

    @extend_schema(request=None, responses=_REFUSED, summary="Refused: bylaws are read-only")
    def delete(self, request, **kwargs):
        return self.refuse(request, **kwargs)


@operation_ids("bylaws")
class BylawListView(ReadOnlyBylawsView):
    @extend_schema(
        responses=BylawVersionSerializer(many=True),
        summary="The bylaws in force, in charter order",
    )
    def get(self, request):
        return Response(BylawVersionSerializer(selectors.current_versions(), many=True).data)


def _not_found(slug: str) -> NotFound:
    return NotFound(_("There is no article “%(slug)s” in the bylaws.") % {"slug": slug})


@operation_ids("bylaw")
class BylawDetailView(ReadOnlyBylawsView):
    @extend_schema(responses=BylawVersionSerializer, summary="The version in force of one article")
    def get(self, request, slug: str):
        version = selectors.current_version(slug)
        if version is None:
            raise _not_found(slug)
        return Response(BylawVersionSerializer(version).data)


@operation_ids("bylaw_versions")
class BylawVersionsView(ReadOnlyBylawsView):
    @extend_schema(
        responses=BylawVersionSerializer(many=True),
        summary="Every version of one article, oldest first",
    )
    def get(self, request, slug: str):
        try:
            _article, versions = selectors.article_history(slug)
        except BylawArticle.DoesNotExist:
            raise _not_found(slug) from None
        return Response(BylawVersionSerializer(versions, many=True).data)


def _head_data(seq: int, head_hash: str) -> dict:
    return {"seq": seq, "hash": head_hash, "head": f"{seq}:{head_hash}"}


class JournalView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "after",
                {"type": "integer", "minimum": 0, "maximum": MAX_ID},
                description="Return entries with seq greater than this (default 0).",
            ),
            JournalFilterSerializer,
        ],
        responses=JournalPageSerializer,
        summary="Journal entries in seq order, 100 at a time (follow `next`)",
    )
    def get(self, request):
        after = as_number(request.query_params.get("after") or "0")
        if after is None:
            raise InvalidInput(_("“after” must be a whole number of 0 or more."))
        filters = JournalFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        kind = filters.validated_data["kind"] or None
        size = selectors.API_JOURNAL_PAGE_SIZE
        entries = list(
            selectors.journal_entries(after=after, kinds=[kind] if kind else None)[: size + 1]
        )
        has_more = len(entries) > size
        entries = entries[:size]
        next_url = None
        if has_more:
            query = {"after": entries[-1].seq, **({"kind": kind} if kind else {})}
            next_url = f"{reverse('governance-api:journal', request=request)}?{urlencode(query)}"
        seq, head_hash = selectors.journal_head()
        return Response(
            {
                "results": JournalEntrySerializer(entries, many=True).data,
                "next": next_url,
                "head": _head_data(seq, head_hash),
            }
        )


class JournalHeadView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=JournalHeadSerializer, summary="The current journal head")
    def get(self, request):
        seq, head_hash = selectors.journal_head()
        return Response(_head_data(seq, head_hash))


class JSONLinesRenderer(BaseRenderer):
    media_type = "application/x-ndjson"
    format = "jsonl"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


async def _async_export(through: int):
    """Under ASGI, read the export in keyset chunks, each in the sync thread,
    so it streams instead of being collected in memory first."""
    after = 0
    while True:
        chunk, after = await sync_to_async(selectors.journal_export_chunk)(
            after=after, through=through
        )
        if not chunk:
            return
        yield chunk


class JournalExportView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = [JSONLinesRenderer, JSONRenderer]

    @extend_schema(
        responses={
            (200, "application/x-ndjson"): OpenApiResponse(
                OpenApiTypes.STR,
                description="One compact JSON object per line: seq, at, kind, actor, payload, "
                "prev, hash. Verify it offline with chain.py.",
            )
        },
        summary="The whole journal as JSON Lines, for chain.py verify",
    )
    def get(self, request):
        seq, head_hash = selectors.journal_head()
        if isinstance(request._request, ASGIRequest):
            content = _async_export(seq)
        else:
            content = selectors.journal_export_lines(through=seq)
        response = StreamingHttpResponse(content, content_type="application/x-ndjson")
        response["Content-Disposition"] = 'attachment; filename="governance-journal.jsonl"'
        response["X-Journal-Head"] = f"{seq}:{head_hash}"
        return response
