"""Contributions API: serializers parse and present; services decide.

Needs and offers, hours logged and confirmed, and the time ledger's exports
in the shapes of the journal's (`/api/v1/contributions/ledger/…`). Errors are
`{"detail", "code"}` (config/api.py) with the codes of `contributions.errors`.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from contributions import selectors, services
from contributions.models import BENEFICIARY_ROLES, Contribution, Need, NeedState
from kernel import serializers
from kernel.errors import InvalidInput, NotFound
from kernel.serializers import error_responses


class NeedSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    url = serializers.SerializerMethodField()
    title = serializers.CharField()
    description = serializers.CharField(help_text="Markdown, as the member wrote it.")
    state = serializers.CharField()
    skills = serializers.SerializerMethodField()
    people_needed = serializers.IntegerField()
    accepted = serializers.SerializerMethodField()
    estimated_minutes = serializers.IntegerField()
    place = serializers.CharField()
    is_online = serializers.BooleanField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    deadline = serializers.DateField(allow_null=True)
    is_community = serializers.BooleanField()
    beneficiary_role = serializers.CharField()
    proposal = serializers.IntegerField(source="proposal_id", allow_null=True)
    budget_line = serializers.IntegerField(source="budget_line_id", allow_null=True)
    hourly_pay_cents = serializers.IntegerField()
    posted_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_url(self, need) -> str:
        return f"/contributions/needs/{need.pk}/"

    def get_skills(self, need) -> list[str]:
        return [skill.name for skill in need.skills.all()]

    def get_accepted(self, need) -> int:
        counts = self.context.get("accepted")
        if counts is not None:
            return counts.get(need.pk, 0)
        return need.offers.filter(state="accepted").count()

    def get_posted_by(self, need) -> str:
        return selectors.shown_name(need.posted_by, self.context.get("viewer"))


class NeedCreateSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True, trim_whitespace=False)
    description = serializers.CharField(allow_blank=True, trim_whitespace=False)
    skills = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    people_needed = serializers.IntegerField(required=False, default=1)
    estimated_minutes = serializers.IntegerField()
    place = serializers.CharField(required=False, default="", allow_blank=True)
    is_online = serializers.BooleanField(required=False, default=False)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    is_community = serializers.BooleanField(required=False, default=False)
    beneficiary_role = serializers.ChoiceField(
        choices=["", *[role for role, _label in BENEFICIARY_ROLES]], required=False, default=""
    )
    proposal = serializers.IntegerField(required=False, allow_null=True, default=None)
    budget_line = serializers.IntegerField(required=False, allow_null=True, default=None)
    hourly_pay_cents = serializers.IntegerField(required=False, default=0)


class OfferSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    need = serializers.IntegerField(source="need_id")
    member = serializers.SerializerMethodField(
        help_text='Their name, or "a member" to visitors when they chose a pseudonym.'
    )
    message = serializers.CharField()
    state = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)

    def get_member(self, offer) -> str:
        return selectors.shown_name(offer.member, self.context.get("viewer"))


class OfferCreateSerializer(serializers.Serializer):
    message = serializers.CharField(required=False, default="", allow_blank=True)


class ContributionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    need = serializers.IntegerField(source="need_id")
    offer = serializers.IntegerField(source="offer_id")
    contributor = serializers.SerializerMethodField(
        help_text='Their name, or "a member" to visitors when they chose a pseudonym.'
    )
    minutes = serializers.IntegerField()
    hours = serializers.SerializerMethodField()
    worked_on = serializers.DateField()
    note = serializers.CharField()
    state = serializers.CharField()
    logged_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    refusal_reason = serializers.CharField()
    ledger_seq = serializers.SerializerMethodField()

    def get_contributor(self, contribution) -> str:
        return selectors.shown_name(contribution.contributor, self.context.get("viewer"))

    def get_hours(self, contribution) -> str:
        return selectors.hours(contribution.minutes)

    def get_ledger_seq(self, contribution) -> int | None:
        transfer = getattr(contribution, "transfer", None)
        entry = getattr(transfer, "entry", None) if transfer is not None else None
        return entry.seq if entry is not None else None


class HoursCreateSerializer(serializers.Serializer):
    offer = serializers.IntegerField(help_text="The accepted offer the time was given under.")
    minutes = serializers.IntegerField(help_text="Whole minutes, 1 to 1440.")
    worked_on = serializers.DateField()
    note = serializers.CharField(required=False, default="", allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class LedgerHeadSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    hash = serializers.CharField()
    head = serializers.CharField(help_text="SEQ:HASH, as chain.py --expect-head takes it")


class PublicAccountSerializer(serializers.Serializer):
    reference = serializers.CharField()
    name = serializers.CharField(allow_null=True, help_text="null for pseudonymous members")


MEMBER = "Not a member in good standing (`not_a_member`)."


def _need(pk) -> Need:
    need = selectors.need_detail(pk)
    if need is None:
        raise NotFound(_("There is no such need."))
    return need


def _flag(params, name: str) -> bool:
    value = params.get(name, "")
    if value not in ("", "true", "false", "1", "0"):
        raise InvalidInput(_("“%(name)s” must be true or false.") % {"name": name})
    return value in ("true", "1")


class NeedListCreate(ListAPIView):
    """Needs, newest first, with filters; members post new ones."""

    serializer_class = NeedSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        params = self.request.query_params
        state = params.get("state", "")
        if state and state not in NeedState.values:
            raise InvalidInput(
                _("“state” must be one of: %(values)s.") % {"values": ", ".join(NeedState.values)}
            )
        filters = selectors.NeedFilters(
            state=state,
            skill=params.get("skill", ""),
            place=params.get("place", ""),
            matches=_flag(params, "matches"),
            query=params.get("q", "").strip(),
        )
        return selectors.needs_queryset(filters, self.request.user).prefetch_related("skills")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "viewer": self.request.user}

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        context = {**self.get_serializer_context(), "accepted": selectors.accepted_counts(page)}
        return self.get_paginated_response(NeedSerializer(page, many=True, context=context).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=NeedState.values, description="Only this state"),
            OpenApiParameter("skill", str, description="Only needs wanting this skill (slug)"),
            OpenApiParameter("place", str, description="Part of the place, or `online`"),
            OpenApiParameter(
                "matches",
                str,
                enum=["true", "false", "1", "0"],
                description="Only needs matching the caller's skills",
            ),
            OpenApiParameter("q", str, description="Search in title and description"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=NeedCreateSerializer,
        responses={
            201: NeedSerializer,
            **error_responses(
                {
                    400: "A field the rules refuse (`invalid_need`): no title or place, a window "
                    "that ends in the past, an estimate out of range…",
                    403: f"{MEMBER} A community need without its authority (`no_authority`).",
                    409: "Paid work whose budget line has not the money its estimate needs "
                    "(`over_budget`).",
                }
            ),
        },
    )
    def post(self, request):
        data = NeedCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        need = services.post_need(
            actor=request.user,
            proposal_id=fields.pop("proposal"),
            budget_line_id=fields.pop("budget_line"),
            **fields,
        )
        return Response(
            NeedSerializer(_need(need.pk), context={"viewer": request.user}).data,
            status=status.HTTP_201_CREATED,
        )


class NeedDetail(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=NeedSerializer, summary="One need")
    def get(self, request, pk):
        return Response(NeedSerializer(_need(pk), context={"viewer": request.user}).data)


def _offer(offer, request) -> dict:
    return OfferSerializer(offer, context={"viewer": request.user}).data


def _hours(contribution, request) -> dict:
    return ContributionSerializer(contribution, context={"viewer": request.user}).data


class NeedOffers(APIView):
    """The offers of help on a need, as its page shows them; a member offers
    help on an open need that is not theirs."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        responses={200: OfferSerializer(many=True), **error_responses({404: "No such need."})},
        summary="The offers on a need, oldest first",
    )
    def get(self, request, pk):
        offers = selectors.offers_of(_need(pk))
        return Response([_offer(offer, request) for offer in offers])

    @extend_schema(
        request=OfferCreateSerializer,
        responses={
            201: OfferSerializer,
            **error_responses(
                {
                    400: "The message is too long (`invalid_offer`).",
                    403: f"{MEMBER} An offer on your own need (`own_need`).",
                    409: "The need no longer takes offers (`need_closed`), or you already "
                    "offered (`already_decided`).",
                }
            ),
        },
    )
    def post(self, request, pk):
        data = OfferCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer = services.offer_help(actor=request.user, need_id=pk, **data.validated_data)
        return Response(_offer(offer, request), status=status.HTTP_201_CREATED)


_OFFER_REFUSALS = error_responses(
    {
        403: f"{MEMBER} Not the need's beneficiary (`not_beneficiary`), or your own offer "
        "(`own_need`).",
        409: "Already answered (`already_decided`), or the need no longer takes offers "
        "(`need_closed`).",
    }
)


class OfferAccept(APIView):
    """The need's beneficiary accepts an offer (the giver, one asked of them
    through their standing offer); a need is filled once it has its people."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: OfferSerializer, **_OFFER_REFUSALS})
    def post(self, request, pk):
        return Response(_offer(services.accept_offer(actor=request.user, offer_id=pk), request))


class OfferWithdraw(APIView):
    """The giver withdraws an offer not answered yet (or declines nothing:
    a request made of them is answered with decline)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: OfferSerializer,
            **error_responses(
                {
                    403: f"{MEMBER} Not your offer (`not_contributor`).",
                    404: "No such offer (`not_found`).",
                    409: "Already answered (`already_decided`).",
                }
            ),
        },
    )
    def post(self, request, pk):
        return Response(_offer(services.withdraw_offer(actor=request.user, offer_id=pk), request))


class NeedCloseSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[NeedState.DONE, NeedState.CANCELLED])


class NeedClose(APIView):
    """The beneficiary marks an open or filled need done, or cancels it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=NeedCloseSerializer,
        responses={
            200: NeedSerializer,
            **error_responses(
                {
                    400: "A state other than `done` or `cancelled`.",
                    403: f"{MEMBER} Not the need's beneficiary (`not_beneficiary`).",
                    404: "No such need (`not_found`).",
                    409: "The need is already closed (`need_closed`).",
                }
            ),
        },
    )
    def post(self, request, pk):
        data = NeedCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.close_need(actor=request.user, need_id=pk, state=data.validated_data["state"])
        return Response(NeedSerializer(_need(pk), context={"viewer": request.user}).data)


class NeedContributions(APIView):
    """The hours logged on a need and where each stands, as its page shows
    them: what a beneficiary confirms or refuses."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: ContributionSerializer(many=True),
            **error_responses({404: "No such need."}),
        },
        summary="The hours logged on a need, oldest first",
    )
    def get(self, request, pk):
        logged = selectors.contributions_of(_need(pk))
        return Response([_hours(contribution, request) for contribution in logged])


class OfferDecline(APIView):
    """The need's beneficiary declines an offer (the giver, one asked of them)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: OfferSerializer, **_OFFER_REFUSALS})
    def post(self, request, pk):
        offer = services.decline_offer(actor=request.user, offer_id=pk)
        return Response(_offer(offer, request))


class ContributionCreate(APIView):
    """The contributor logs the time given under an accepted offer."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=HoursCreateSerializer,
        responses={
            201: ContributionSerializer,
            **error_responses(
                {
                    400: "Zero, negative or more than 24 hours in a day, a day to come "
                    "(`invalid_hours`).",
                    403: f"{MEMBER} Not the contributor of this offer (`not_contributor`).",
                    404: "No such offer (`not_found`).",
                    409: "The need was cancelled, or the offer is not accepted (`need_closed`).",
                }
            ),
        },
    )
    def post(self, request):
        data = HoursCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        hours = services.log_hours(
            actor=request.user,
            offer_id=fields["offer"],
            minutes=fields["minutes"],
            worked_on=fields["worked_on"],
            note=fields["note"],
        )
        return Response(_hours(hours, request), status=status.HTTP_201_CREATED)


def _contribution(pk) -> Contribution:
    found = (
        Contribution.objects.select_related("contributor", "transfer__entry").filter(pk=pk).first()
    )
    if found is None:
        raise NotFound(_("There are no such logged hours."))
    return found


class ContributionConfirm(APIView):
    """The need's beneficiary confirms hours: the time ledger records them
    (and the treasury, for paid work)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: ContributionSerializer,
            **error_responses(
                {
                    403: f"{MEMBER} Your own hours (`own_contribution`), not the beneficiary "
                    "(`not_beneficiary`), or paid work and not a treasurer (`not_treasurer`).",
                    409: "Already confirmed or decided (`already_decided`); beyond the bylaws' "
                    "floor (`below_floor`) or monthly cap (`issuance_cap`); a budget line without "
                    "the money (`over_budget`).",
                }
            ),
        },
    )
    def post(self, request, pk):
        _contribution(pk)
        services.confirm_contribution(actor=request.user, contribution_id=pk)
        return Response(_hours(_contribution(pk), request))


class ContributionRefuse(APIView):
    """The need's beneficiary refuses hours, with a reason."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ReasonSerializer,
        responses={
            200: ContributionSerializer,
            **error_responses(
                {
                    400: "No reason (`reason_required`).",
                    403: f"{MEMBER} Your own hours (`own_contribution`), or not the beneficiary "
                    "(`not_beneficiary`).",
                    409: "Already decided (`already_decided`).",
                }
            ),
        },
    )
    def post(self, request, pk):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _contribution(pk)
        services.refuse_contribution(
            actor=request.user, contribution_id=pk, reason=data.validated_data["reason"]
        )
        return Response(_hours(_contribution(pk), request))


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
