"""Hours logged, confirmed or refused."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from contributions import services
from contributions.api.serializers import (
    MEMBER,
    ContributionSerializer,
    HoursCreateSerializer,
    ReasonSerializer,
    ReviewDecisionSerializer,
    hours_data,
)
from contributions.models import Contribution
from kernel.errors import NotFound
from kernel.serializers import error_responses


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
        return Response(hours_data(hours, request), status=status.HTTP_201_CREATED)


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
        return Response(hours_data(_contribution(pk), request))


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
        return Response(hours_data(_contribution(pk), request))


class ContributionReviewRequest(APIView):
    """The contributor takes a refusal of their hours to a steward, once."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: ContributionSerializer,
            **error_responses(
                {
                    403: f"{MEMBER} Not your hours (`not_contributor`).",
                    404: "No such hours (`not_found`).",
                    409: "The hours are not refused, or already reviewed (`already_decided`).",
                }
            ),
        },
    )
    def post(self, request, pk):
        _contribution(pk)
        services.request_review(actor=request.user, contribution_id=pk)
        return Response(hours_data(_contribution(pk), request))


class ContributionReviewDecision(APIView):
    """A steward who neither gave nor refused the hours confirms them or
    upholds the refusal with a public reason; either is journaled."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ReviewDecisionSerializer,
        responses={
            200: ContributionSerializer,
            **error_responses(
                {
                    400: "Upholding a refusal without a reason (`reason_required`).",
                    403: "Not a steward, or the steward who refused them (`not_steward`); "
                    "your own hours (`own_contribution`); paid work and not a treasurer "
                    "(`not_treasurer`).",
                    404: "No such hours (`not_found`).",
                    409: "Not under review (`already_decided`); confirming them would pass the "
                    "bylaws' floor (`below_floor`) or monthly cap (`issuance_cap`).",
                }
            ),
        },
    )
    def post(self, request, pk):
        data = ReviewDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _contribution(pk)
        services.decide_review(actor=request.user, contribution_id=pk, **data.validated_data)
        return Response(hours_data(_contribution(pk), request))
