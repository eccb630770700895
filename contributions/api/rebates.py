"""Credits as a rebate on dues, when the bylaws say so: a member asks, a
treasurer records the dues with the rebate (on the pages)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from contributions import selectors, services
from contributions.api.serializers import (
    MEMBER,
    RebateClaimCreateSerializer,
    RebateClaimSerializer,
)
from kernel.serializers import error_responses


class RebateClaims(APIView):
    """My requests to use credits on my next dues; a new one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: RebateClaimSerializer(many=True)}, summary="My rebate requests")
    def get(self, request):
        return Response(RebateClaimSerializer(selectors.claims_of(request.user), many=True).data)

    @extend_schema(
        request=RebateClaimCreateSerializer,
        responses={
            201: RebateClaimSerializer,
            **error_responses(
                {
                    400: "No credits, or not a whole number of hundredths (`invalid_offer`).",
                    403: MEMBER,
                    409: "The bylaws in force make no rebate, or you have fewer credits than "
                    "you ask for, counting your other requests (`rebate_refused`).",
                }
            ),
        },
    )
    def post(self, request):
        data = RebateClaimCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = services.claim_rebate(actor=request.user, credits=data.validated_data["credits"])
        return Response(RebateClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


class RebateClaimWithdraw(APIView):
    """Its member withdraws a request not used yet."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: RebateClaimSerializer,
            **error_responses(
                {
                    403: "Not your request (`not_contributor`).",
                    404: "No such request (`not_found`).",
                    409: "Already used or withdrawn (`already_decided`).",
                }
            ),
        },
    )
    def post(self, request, pk):
        claim = services.withdraw_rebate_claim(actor=request.user, claim_id=pk)
        return Response(RebateClaimSerializer(claim).data)
