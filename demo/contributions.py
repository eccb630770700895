"""The demo's contribution economy (`manage.py seed_demo`), replayed through
the real services over the last five months, each step at its own moment
and in the order it happened, so the time ledger reads in order and
verifies like a real instance's:

- the community adopts its Contributions article by vote (an hour earns a
  credit; a credit takes 1.00 off dues), then lives by it;
- a parents' crèche asks for volunteers on Wednesday mornings, parents
  taking turns;
- a monthly repair evening, a community need on the meetings budget line;
- helpers for the hosts' gathering, still open;
- a member offers bookkeeping, 4 hours a month, and is asked for it;
- a translation paid from the development budget line;
- a member uses credits on their dues; another chose a pseudonym;
- one refused confirmation waits for a steward's review.

This runs last in `demo.community.seed`, after the treasury it records
into, so the Contributions article's vote is journaled after the rest of
the demo year, with its own, earlier dates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import time_machine
from django.utils import timezone

from contributions import services
from contributions.models import TimeTransfer
from contributions.parameters import ARTICLE, DEFAULTS, TITLE
from members.roles import Role
from proposals import services as proposal_services
from treasury.models import BudgetLine
from treasury.selectors import budget_line_status

HOUR = 60
RULES = {
    **DEFAULTS.to_json(),
    "lowest_balance_hundredths": -3_000,
    "monthly_cap_hundredths": 10_000,
    "dues_rebate": True,
    "rebate_cents_per_credit": 100,
}
SKILLS = {
    "dave": ["Childcare", "Cooking"],
    "lea": ["Childcare"],
    "samir": ["Bike repair", "Electronics"],
    "marc": ["Bike repair"],
    "paula": ["Bike repair", "Cooking"],
    "nadia": ["Bookkeeping"],
    "ines": ["Translation", "Spanish"],
    "oscar": ["Carpentry"],
}
REPAIR_EVENINGS = (110, 80, 50, 20)  # days ago
CRECHE_MORNINGS = range(112, 4, -14)


class Plan:
    """Steps to run each at its moment, in the order of their moments; what
    a step makes is kept under a name for the steps after it."""

    def __init__(self) -> None:
        self.steps: list[tuple[datetime, int, Callable[[], object], str]] = []
        self.made: dict[str, object] = {}

    def at(self, moment: datetime, step: Callable[[], object], name: str = "") -> None:
        self.steps.append((moment, len(self.steps), step, name))

    def run(self) -> None:
        # Steps planned for the same moment run one after the other: the
        # clock never goes back, so the time ledger reads in order.
        clock = None
        for moment, _order, step, name in sorted(self.steps, key=lambda s: (s[0], s[1])):
            if clock is not None and moment <= clock:
                moment = clock + timedelta(milliseconds=1)
            with time_machine.travel(moment, tick=True):
                result = step()
                clock = timezone.now()
            if name:
                self.made[name] = result


def adopt_contributions_article(author, voters, start: datetime):
    """Held like the demo's other votes: submitted, opened, voted, closed and
    enacted, each at its own moment. The community seeds it in its place
    among the other votes (demo/community.py), so that the journal reads in
    the order of its moments; the contributions replayed later rely on it."""
    with time_machine.travel(start, tick=True):
        proposal = proposal_services.create_draft(
            author=author,
            kind="amendment",
            title="What an hour given is worth",
            body=(
                "Adopt a Contributions article: an hour given to the community or to a member "
                "earns one credit, and each credit takes 1.00 off a member's dues."
            ),
            amendments=[
                {
                    "article_slug": ARTICLE,
                    "new_title": TITLE,
                    "new_class": "ordinary",
                    "new_parameters": RULES,
                }
            ],
        )
        proposal = proposal_services.submit_proposal(proposal_id=proposal.pk, actor=author)
    with time_machine.travel(proposal.voting_opens_at + timedelta(minutes=1), tick=True):
        proposal_services.advance_proposal(proposal_id=proposal.pk)
        for voter in voters[:12]:
            proposal_services.cast_vote(proposal_id=proposal.pk, voter=voter, choice="yes")
        for voter in voters[12:14]:
            proposal_services.cast_vote(proposal_id=proposal.pk, voter=voter, choice="no")
    with time_machine.travel(proposal.voting_closes_at + timedelta(minutes=1), tick=True):
        proposal = proposal_services.advance_proposal(proposal_id=proposal.pk)
    with time_machine.travel(proposal.enactable_at + timedelta(minutes=1), tick=True):
        return proposal_services.advance_proposal(proposal_id=proposal.pk)


def _line(purpose: str) -> BudgetLine | None:
    return BudgetLine.objects.filter(purpose=purpose).order_by("pk").first()


def seed_contributions(*, people: dict, proposals: dict) -> int:
    """Replay five months of contributions; returns the hours confirmed."""
    now = timezone.now()

    def day(n: float) -> datetime:
        return now - timedelta(days=n)

    carol, bob = people["carol"], people["bob"]
    for username, skills in SKILLS.items():
        services.update_profile(actor=people[username], skills=skills)
    services.update_profile(actor=people["lea"], is_pseudonymous=True)
    meetings = _line("Meetings and travel")
    authority = (
        {"budget_line_id": meetings.pk} if meetings else {"proposal_id": proposals["amendment"].pk}
    )
    plan = Plan()
    made = plan.made

    def need(name, moment, actor, **fields):
        plan.at(moment, lambda: services.post_need(actor=actor, **fields), name)

    def helped(name, moment, need_name, helper, by):
        def step():
            offer = services.offer_help(
                actor=helper, need_id=made[need_name].pk, message="Count me in."
            )
            return services.accept_offer(actor=by, offer_id=offer.pk)

        plan.at(moment, step, name)

    def gave(offer_name, moment, minutes, confirm_by=None, note="", name=""):
        key = name or f"hours-{len(plan.steps)}"

        def log():
            offer = made[offer_name]
            return services.log_hours(
                actor=offer.member, offer_id=offer.pk, minutes=minutes,
                worked_on=moment.date(), note=note,
            )  # fmt: skip

        plan.at(moment, log, key)
        if confirm_by is not None:
            plan.at(
                moment + timedelta(days=1),
                lambda: services.confirm_contribution(
                    actor=confirm_by, contribution_id=made[key].pk
                ),
            )

    # A member offers bookkeeping, as in a time bank; a member asks for it.
    plan.at(
        day(120),
        lambda: services.post_standing_offer(
            actor=people["nadia"], title="Bookkeeping for small associations",
            description="I keep accounts for a living and like to help on weekends.",
            skills=["Bookkeeping"], availability="4 hours a month",
        ),
        "books",
    )  # fmt: skip

    def ask():
        offer = services.ask_standing_offer(
            actor=people["dave"], standing_offer_id=made["books"].pk,
            message="Our cooking club needs its first year's accounts put in order.",
            estimated_minutes=4 * HOUR, is_online=True, starts_at=day(70), ends_at=day(40),
        )  # fmt: skip
        return services.accept_offer(actor=people["nadia"], offer_id=offer.pk)

    plan.at(day(70), ask, "asked")
    gave("asked", day(62), 4 * HOUR, people["dave"], "Ledger and receipts")

    # The parents' crèche: volunteers on fixed days, parents taking turns.
    need(
        "creche", day(118), people["paula"],
        title="Parents' crèche: a volunteer on Wednesday mornings",
        description="We look after six toddlers from 8:30 to 11:30. One more adult each "
        "morning lets parents get to work. No experience needed, a smile is.",
        skills=["Childcare"], people_needed=3, estimated_minutes=3 * HOUR,
        place="Crèche des Lilas, 12 rue des Lilas", starts_at=day(115),
        ends_at=now + timedelta(days=60),
    )  # fmt: skip
    for name in ("dave", "lea"):
        helped(f"creche-{name}", day(117), "creche", people[name], people["paula"])
    for week, ago in enumerate(CRECHE_MORNINGS):
        volunteer = ("dave", "lea")[week % 2]
        gave(f"creche-{volunteer}", day(ago), 3 * HOUR, people["paula"], "Wednesday morning")

    # The monthly repair evening, on the meetings line the community voted.
    for month, ago in enumerate(REPAIR_EVENINGS):
        evening = f"evening-{month}"
        need(
            evening, day(ago + 7), carol,
            title=f"Repair evening #{month + 1}: bikes, lamps, toasters",
            description="We fix what neighbours bring, and teach them how. Tools provided.",
            skills=["Bike repair", "Electronics"], people_needed=3, estimated_minutes=3 * HOUR,
            place="Makers' space, 4 quai du Port", starts_at=day(ago) - timedelta(hours=2),
            ends_at=day(ago) + timedelta(hours=2), is_community=True,
            beneficiary_role=Role.STEWARD, **authority,
        )  # fmt: skip
        for name in ("samir", "marc", "paula")[: 2 + month % 2]:
            helped(f"{evening}-{name}", day(ago + 5), evening, people[name], carol)
            gave(f"{evening}-{name}", day(ago), 3 * HOUR, carol, "Repairs")
        plan.at(
            day(ago - 2),
            lambda evening=evening: services.close_need(
                actor=carol, need_id=made[evening].pk, state="done"
            ),
        )

    # A translation paid from the development line, if it has the money.
    sprint = _line("Development sprint")
    if sprint is not None and budget_line_status(sprint.pk).remaining_cents >= 20_000:
        need(
            "translation", day(100), bob, title="Translate the hosts' guide into Spanish",
            description="About 4,000 words. Paid from the development line, 25.00 an hour.",
            skills=["Translation", "Spanish"], estimated_minutes=8 * HOUR, is_online=True,
            starts_at=day(100), ends_at=day(60), is_community=True,
            beneficiary_role=Role.TREASURER, budget_line_id=sprint.pk, hourly_pay_cents=2_500,
        )  # fmt: skip
        helped("translator", day(99), "translation", people["ines"], bob)
        gave("translator", day(90), 5 * HOUR, bob, "First half")

    # Dave uses two credits on his dues.
    plan.at(day(15), lambda: services.claim_rebate(actor=people["dave"], credits=200), "claim")
    plan.at(
        day(14),
        lambda: services.record_dues_with_rebate(
            actor=bob, claim_id=made["claim"].pk, dues_cents=500, date=day(14).date(),
            method="bank", external_reference=f"DUES-REBATE-{made['claim'].pk}",
        ),
    )  # fmt: skip

    # A disputed confirmation, waiting for a steward.
    need(
        "shelves", day(40), people["frank"], title="Move the tool library's shelves",
        description="Four heavy shelves to carry from the basement to the new room.",
        skills=["Carpentry"], estimated_minutes=2 * HOUR, place="Tool library",
        starts_at=day(38), ends_at=day(30),
    )  # fmt: skip
    helped("mover", day(39), "shelves", people["oscar"], people["frank"])
    gave("mover", day(36), 4 * HOUR, note="Carried and fixed all four shelves", name="disputed")
    plan.at(
        day(35),
        lambda: services.refuse_contribution(
            actor=people["frank"], contribution_id=made["disputed"].pk,
            reason="I saw one hour of work, not four.",
        ),
    )  # fmt: skip
    plan.at(
        day(34),
        lambda: services.request_review(actor=people["oscar"], contribution_id=made["disputed"].pk),
    )

    # Open now: helpers for the hosts' gathering, and a member's need.
    need(
        "gathering", day(6), carol, title="Helpers for the autumn hosts' gathering",
        description="Welcome desk, meals, and tidying up after. Two-hour shifts.",
        skills=["Cooking", "Welcome"], people_needed=6, estimated_minutes=2 * HOUR,
        place="Salle des fêtes", starts_at=now + timedelta(days=20),
        ends_at=now + timedelta(days=22), is_community=True, beneficiary_role=Role.STEWARD,
        **authority,
    )  # fmt: skip
    need(
        "plants", day(3), people["erin"], title="Water my plants while I am away",
        description="Two visits a week while I am away.", skills=["Gardening"],
        estimated_minutes=HOUR, place="Rue Victor Hugo", starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=60),
    )  # fmt: skip
    plan.run()
    return TimeTransfer.objects.filter(contribution__isnull=False).count()
