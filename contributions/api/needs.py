"""Needs and offers: the marketplace, and what a need's beneficiary answers."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from contributions import selectors, services
from contributions.api.serializers import (
    MEMBER,
    ContributionSerializer,
    NeedCloseSerializer,
    NeedCreateSerializer,
    NeedSerializer,
    OfferCreateSerializer,
    OfferSerializer,
    hours_data,
    offer_data,
)
from contributions.models import Need, NeedState
from kernel.errors import InvalidInput, NotFound
from kernel.serializers import error_responses


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
        return Response([offer_data(offer, request) for offer in offers])

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
        return Response(offer_data(offer, request), status=status.HTTP_201_CREATED)


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
        return Response(offer_data(services.accept_offer(actor=request.user, offer_id=pk), request))


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
        return Response(
            offer_data(services.withdraw_offer(actor=request.user, offer_id=pk), request)
        )


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
        return Response([hours_data(contribution, request) for contribution in logged])


class OfferDecline(APIView):
    """The need's beneficiary declines an offer (the giver, one asked of them)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: OfferSerializer, **_OFFER_REFUSALS})
    def post(self, request, pk):
        offer = services.decline_offer(actor=request.user, offer_id=pk)
        return Response(offer_data(offer, request))
