"""Accounts API: tokens, my account and standing, my data export."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from governance import selectors as governance_selectors
from kernel import serializers
from kernel.serializers import error_responses
from members import selectors
from members.errors import InvalidCredentials, TooManyLoginAttempts

TOKEN_RATE_DEFAULT = "10/min"  # noqa: S105 (a rate, not a secret)


class TokenRateThrottle(ScopedRateThrottle):
    """Scope "token"; the rate comes from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    when the operator sets one, otherwise 10 attempts a minute per client."""

    def get_rate(self):
        rates = getattr(settings, "REST_FRAMEWORK", {}).get("DEFAULT_THROTTLE_RATES", {})
        return rates.get(self.scope, TOKEN_RATE_DEFAULT)


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(help_text="Username or email address.")
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    email = serializers.EmailField()
    status = serializers.CharField(
        allow_null=True, help_text="applicant, member, suspended or left"
    )
    is_member = serializers.BooleanField(help_text="In good standing.")
    roles = serializers.ListField(child=serializers.CharField())
    applied_at = serializers.DateTimeField(allow_null=True)
    admitted_at = serializers.DateTimeField(allow_null=True)
    suspended_at = serializers.DateTimeField(allow_null=True)
    suspension_reason = serializers.CharField(allow_blank=True)
    left_at = serializers.DateTimeField(allow_null=True)
    tenure_days = serializers.IntegerField(allow_null=True)
    can_vote_from = serializers.DateTimeField(
        allow_null=True, help_text="Votes opening from this moment count you."
    )
    has_voting_tenure = serializers.BooleanField()


class TokenView(APIView):
    """Exchange a username (or email) and password for an API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenRateThrottle]
    throttle_scope = "token"

    @extend_schema(
        operation_id="auth_token_create",
        request=CredentialsSerializer,
        responses={
            200: TokenSerializer,
            **error_responses(
                {
                    400: "Wrong credentials, or an address not yet confirmed "
                    "(`invalid_credentials`).",
                    429: "Locked out after failed attempts, as the login form is "
                    "(`too_many_login_attempts`).",
                }
            ),
        },
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        serializer = CredentialsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The same authentication, and the same lockout after failed attempts,
        # as the login form (allauth's adapter counts failures per address and
        # per account): the API is not a way around the form's limits.
        try:
            person = get_adapter(request._request).authenticate(
                request._request,
                username=serializer.validated_data["username"],
                password=serializer.validated_data["password"],
            )
        except ValidationError:
            raise TooManyLoginAttempts(
                _("Too many failed attempts: wait a few minutes before trying again.")
            ) from None
        if person is None:
            raise InvalidCredentials(_("The username or password is not correct."))
        if not EmailAddress.objects.filter(user=person, verified=True).exists():
            raise InvalidCredentials(_("Confirm your email address before using the API."))
        token, _created = Token.objects.get_or_create(user=person)
        return Response({"token": token.key})


class MeView(APIView):
    """My account, standing and roles."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="me_retrieve", responses=MeSerializer, tags=["accounts"])
    def get(self, request: Request) -> Response:
        person = request.user
        standing = selectors.standing_summary(
            person,
            now=timezone.now(),
            min_tenure_days=governance_selectors.current_parameters().min_tenure_days,
        )
        standing.pop("status_label", None)
        standing.pop("min_tenure_days", None)
        data = {
            "username": person.username,
            "display_name": person.display_name,
            "email": person.email,
            **standing,
        }
        return Response(MeSerializer(data).data)


class MyExportView(APIView):
    """Everything stored about me; the same document as the page's download."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="me_export", responses=OpenApiTypes.OBJECT, tags=["accounts"])
    def get(self, request: Request) -> Response:
        return Response(selectors.export_member_data(member=request.user))
