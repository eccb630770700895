"""Standing offers, as in a time bank: what members say they can give, and
what others ask of them directly."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from contributions import selectors, services
from contributions.api.serializers import (
    MEMBER,
    AskSerializer,
    OfferSerializer,
    StandingOfferCreateSerializer,
    StandingOfferSerializer,
    offer_data,
)
from kernel.serializers import error_responses


class StandingOfferListCreate(ListAPIView):
    """Standing offers not withdrawn, newest first; members post theirs."""

    serializer_class = StandingOfferSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        return selectors.active_standing_offers()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "viewer": self.request.user}

    @extend_schema(
        request=StandingOfferCreateSerializer,
        responses={
            201: StandingOfferSerializer,
            **error_responses({400: "A title missing or too long (`invalid_offer`).", 403: MEMBER}),
        },
    )
    def post(self, request):
        data = StandingOfferCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer = services.post_standing_offer(actor=request.user, **data.validated_data)
        body = StandingOfferSerializer(offer, context={"viewer": request.user}).data
        return Response(body, status=status.HTTP_201_CREATED)


class StandingOfferWithdraw(APIView):
    """Its member withdraws a standing offer."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: StandingOfferSerializer,
            **error_responses(
                {
                    403: "Not your standing offer (`not_contributor`).",
                    404: "No such standing offer (`not_found`).",
                    409: "Already withdrawn (`already_decided`).",
                }
            ),
        },
    )
    def post(self, request, pk):
        offer = services.withdraw_standing_offer(actor=request.user, standing_offer_id=pk)
        return Response(StandingOfferSerializer(offer, context={"viewer": request.user}).data)


class StandingOfferAsk(APIView):
    """Ask a member for what they offer: a need of yours, with an offer the
    giver then accepts or declines (`POST /api/v1/offers/{id}/accept/`)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=AskSerializer,
        responses={
            201: OfferSerializer,
            **error_responses(
                {
                    400: "A time window or an estimate that does not hold (`invalid_need`).",
                    403: f"{MEMBER} Your own standing offer (`own_need`).",
                    404: "No such standing offer (`not_found`).",
                    409: "The standing offer was withdrawn (`need_closed`).",
                }
            ),
        },
    )
    def post(self, request, pk):
        data = AskSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offer = services.ask_standing_offer(
            actor=request.user, standing_offer_id=pk, **data.validated_data
        )
        return Response(offer_data(offer, request), status=status.HTTP_201_CREATED)
