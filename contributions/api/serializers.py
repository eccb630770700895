"""What the contributions API reads and writes: strict types
(`kernel.serializers`), names as the pages show them (a pseudonym stays "a
member" to visitors)."""

from __future__ import annotations

from contributions import selectors
from contributions.models import BENEFICIARY_ROLES, NeedState
from kernel import serializers


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


class NeedCloseSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[NeedState.DONE, NeedState.CANCELLED])


def offer_data(offer, request) -> dict:
    return OfferSerializer(offer, context={"viewer": request.user}).data


def hours_data(contribution, request) -> dict:
    return ContributionSerializer(contribution, context={"viewer": request.user}).data


class StandingOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    url = serializers.SerializerMethodField()
    member = serializers.SerializerMethodField(
        help_text='Their name, or "a member" to visitors when they chose a pseudonym.'
    )
    title = serializers.CharField()
    description = serializers.CharField(help_text="Markdown, as the member wrote it.")
    skills = serializers.SerializerMethodField()
    availability = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_url(self, offer) -> str:
        return f"/contributions/standing-offers/{offer.pk}/"

    def get_member(self, offer) -> str:
        return selectors.shown_name(offer.member, self.context.get("viewer"))

    def get_skills(self, offer) -> list[str]:
        return [skill.name for skill in offer.skills.all()]


class StandingOfferCreateSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True, trim_whitespace=False)
    description = serializers.CharField(required=False, default="", allow_blank=True)
    skills = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    availability = serializers.CharField(required=False, default="", allow_blank=True)


class AskSerializer(serializers.Serializer):
    message = serializers.CharField(allow_blank=True, help_text="What you ask for, in Markdown.")
    estimated_minutes = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(required=False, default="", allow_blank=True)
    is_online = serializers.BooleanField(required=False, default=False)


class ReviewDecisionSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(
        help_text="true confirms the hours; false upholds the refusal, with a public reason."
    )
    reason = serializers.CharField(required=False, default="", allow_blank=True)


class RebateClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    credits = serializers.IntegerField(help_text="Hundredths of a credit.")
    state = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class RebateClaimCreateSerializer(serializers.Serializer):
    credits = serializers.IntegerField(help_text="Hundredths of a credit, more than zero.")
