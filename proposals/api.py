"""Proposals API: serializers parse and present; services decide."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.models import ArticleClass
from kernel import serializers
from kernel.errors import NotFound
from kernel.serializers import error_responses
from members.roles import APPOINTED_ROLES
from proposals import selectors, services
from proposals.models import Choice, Kind, Proposal, State
from proposals.permissions import can_view
from proposals.scheduler import AppliesDueTransitions


class AmendmentSerializer(serializers.Serializer):
    article_slug = serializers.SlugField()
    new_title = serializers.CharField(allow_blank=True, required=False, default="")
    new_class = serializers.ChoiceField(choices=ArticleClass.values)
    new_text = serializers.CharField(allow_blank=True, required=False, default="")
    new_parameters = serializers.JSONField(required=False, allow_null=True, default=None)


class BudgetItemSerializer(serializers.Serializer):
    purpose = serializers.CharField()
    amount_cents = serializers.IntegerField()
    fund = serializers.CharField(default="general")


class AppointmentSerializer(serializers.Serializer):
    member = serializers.CharField(help_text="username")
    role = serializers.ChoiceField(choices=[role.value for role in APPOINTED_ROLES])
    action = serializers.ChoiceField(choices=["grant", "remove"])


class ProposalSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    amendments = AmendmentSerializer(many=True, read_only=True)
    budget_items = BudgetItemSerializer(many=True, read_only=True)
    appointments = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id",
            "url",
            "kind",
            "title",
            "body",
            "author",
            "state",
            "decision_class",
            "revision",
            "rules",
            "created_at",
            "submitted_at",
            "discussion_ends_at",
            "notice_ends_at",
            "voting_opens_at",
            "voting_closes_at",
            "closed_at",
            "enactable_at",
            "enacted_at",
            "withdrawn_at",
            "electorate_size",
            "commitment",
            "amendments",
            "budget_items",
            "appointments",
        ]
        read_only_fields = fields

    def get_appointments(self, proposal) -> list[dict]:
        return [
            {"member": a.member.username, "role": a.role, "action": a.action}
            for a in proposal.appointments.all()
        ]

    def get_url(self, proposal) -> str:
        return f"/proposals/{proposal.pk}/"


class ProposalCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField(allow_blank=True, trim_whitespace=False)
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)
    amendments = AmendmentSerializer(many=True, required=False, default=list)
    budget_items = BudgetItemSerializer(many=True, required=False, default=list)
    appointments = AppointmentSerializer(many=True, required=False, default=list)


class BallotSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Choice.choices)


BallotResultSerializer = inline_serializer(
    "BallotResult",
    {
        "proposal": serializers.IntegerField(),
        "choice": serializers.ChoiceField(choices=Choice.choices),
        "receipt": serializers.CharField(),
        "changed": serializers.BooleanField(),
    },
)

ResultsSerializer = inline_serializer(
    "Results",
    {
        "proposal": serializers.IntegerField(),
        "state": serializers.CharField(),
        "decision_class": serializers.CharField(),
        "final": serializers.BooleanField(),
        "visible": serializers.BooleanField(),
        "yes": serializers.IntegerField(allow_null=True),
        "no": serializers.IntegerField(allow_null=True),
        "abstain": serializers.IntegerField(allow_null=True),
        "ballots": serializers.IntegerField(allow_null=True),
        "electorate_size": serializers.IntegerField(allow_null=True),
        "threshold": serializers.ListField(child=serializers.IntegerField(), allow_null=True),
        "threshold_inclusive": serializers.BooleanField(allow_null=True),
        "quorum": serializers.ListField(child=serializers.IntegerField(), allow_null=True),
        "outcome": serializers.CharField(allow_null=True),
        "explanation": serializers.CharField(allow_null=True),
        "commitment": serializers.CharField(allow_null=True),
        "voting_opens_at": serializers.DateTimeField(allow_null=True),
        "voting_closes_at": serializers.DateTimeField(allow_null=True),
    },
)


def _visible_proposal(pk, user) -> Proposal:
    proposal = selectors.proposal_detail(pk)
    if not can_view(user, proposal):
        raise NotFound(f"There is no proposal #{pk}.")
    return proposal


class ProposalFilterSerializer(serializers.Serializer):
    """The list's query parameters. Empty is no filter; an unknown state or
    kind is a 400, not a filter silently ignored."""

    state = serializers.ChoiceField(
        choices=State.choices, allow_blank=True, default="", help_text="Only this state."
    )
    kind = serializers.ChoiceField(
        choices=Kind.choices, allow_blank=True, default="", help_text="Only this kind."
    )
    q = serializers.CharField(allow_blank=True, default="", help_text="Search in title and text.")


# Where a member acts on a proposal, the refusals of the domain (the rest,
# such as a missing proposal, config.api_schema.AutoSchema adds everywhere).
NOT_ALLOWED = "Not a member in good standing (`not_a_member`), or not an author (`not_an_author`)."


class ProposalListCreate(AppliesDueTransitions, ListAPIView):
    """Proposals the caller may see, newest first (drafts only to their
    authors); members draft new ones."""

    serializer_class = ProposalSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        filters = ProposalFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.proposal_list(
            state=filters.validated_data["state"],
            kind=filters.validated_data["kind"],
            query=filters.validated_data["q"],
            viewer=self.request.user,
        ).prefetch_related("amendments", "budget_items", "appointments__member")

    @extend_schema(parameters=[ProposalFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ProposalCreateSerializer,
        responses={
            201: ProposalSerializer,
            **error_responses(
                {
                    400: "Fields not valid (`invalid`, with `fields`), or contents the "
                    "rules refuse (`invalid_proposal`: no title, too long, unknown article, "
                    "…).",
                    403: "Not a member in good standing (`not_a_member`).",
                }
            ),
        },
    )
    def post(self, request):
        data = ProposalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.create_draft(author=request.user, **data.validated_data)
        return Response(ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)


class ProposalDetail(AppliesDueTransitions, APIView):
    """One proposal, with its contents (404 for a draft of someone else)."""

    @extend_schema(responses=ProposalSerializer)
    def get(self, request, pk):
        return Response(ProposalSerializer(_visible_proposal(pk, request.user)).data)


class ProposalSubmit(AppliesDueTransitions, APIView):
    """An author submits a draft: its discussion starts."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: ProposalSerializer,
            **error_responses(
                {
                    403: NOT_ALLOWED,
                    409: "Only a draft can be submitted, and only once the community is "
                    "founded (`wrong_phase`).",
                }
            ),
        },
    )
    def post(self, request, pk):
        proposal = _visible_proposal(pk, request.user)
        proposal = services.submit_proposal(proposal_id=proposal.pk, actor=request.user)
        return Response(ProposalSerializer(proposal).data)


class ProposalWithdraw(AppliesDueTransitions, APIView):
    """An author withdraws a proposal before its voting opens."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: ProposalSerializer,
            **error_responses(
                {
                    403: NOT_ALLOWED,
                    409: "Voting has opened, or the proposal is closed (`wrong_phase`).",
                }
            ),
        },
    )
    def post(self, request, pk):
        proposal = _visible_proposal(pk, request.user)
        proposal = services.withdraw_proposal(proposal_id=proposal.pk, actor=request.user)
        return Response(ProposalSerializer(proposal).data)


class ProposalBallot(APIView):
    """A member casts, or changes, their ballot while voting is open; the
    receipt stays the same across changes."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=BallotSerializer,
        responses={
            200: BallotResultSerializer,
            **error_responses(
                {
                    403: "Not on this vote's electorate roll, or not a member in good "
                    "standing (`not_eligible`).",
                    409: "Voting has not opened (`voting_not_open`) or has closed "
                    "(`voting_closed`), or concurrent ballots collided: try again "
                    "(`ballot_conflict`).",
                }
            ),
        },
    )
    def post(self, request, pk):
        data = BallotSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # cast_vote applies due transitions and answers 404/409 itself.
        result = services.cast_vote(
            proposal_id=pk, voter=request.user, choice=data.validated_data["choice"]
        )
        return Response(
            {
                "proposal": pk,
                "choice": result.choice,
                "receipt": result.receipt,
                "changed": result.changed,
            }
        )


class ProposalResults(AppliesDueTransitions, APIView):
    """Counts, turnout, threshold and outcome; the counts stay hidden while a
    secret vote is open."""

    @extend_schema(responses=ResultsSerializer)
    def get(self, request, pk):
        return Response(selectors.results(_visible_proposal(pk, request.user)))


class ProposalBallots(AppliesDueTransitions, APIView):
    """The ballots as the proposal's secrecy publishes them."""

    @extend_schema(
        responses=inline_serializer(
            "PublishedBallots",
            {"secrecy": serializers.CharField(allow_null=True), "ballots": serializers.ListField()},
        )
    )
    def get(self, request, pk):
        return Response(selectors.published_ballots(_visible_proposal(pk, request.user)))


class ProposalRoll(AppliesDueTransitions, APIView):
    """The electorate roll frozen when voting opened, published so that anyone
    can recompute the commitment journaled then (docs/auditing.md)."""

    @extend_schema(
        responses=inline_serializer(
            "PublishedRoll",
            {
                "proposal": serializers.IntegerField(),
                "commitment": serializers.CharField(),
                "electorate_size": serializers.IntegerField(),
                "journal_seq": serializers.IntegerField(allow_null=True),
                "header": serializers.DictField(),
                "members": serializers.ListField(child=serializers.CharField()),
            },
        )
    )
    def get(self, request, pk):
        roll = selectors.published_roll(_visible_proposal(pk, request.user))
        if roll is None:
            raise NotFound(f"Voting on proposal #{pk} has not opened: there is no roll yet.")
        return Response(roll)
