"""The demo community: a year of life replayed through the real services.

Every row comes from the same services that members use — the founding act,
proposals, ballots, enactment, the treasury — with the clock moved through
the past year, so the journal and the ledger verify like a real instance's.
"""

from __future__ import annotations

from datetime import timedelta

import time_machine
from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from governance.models import ArticleClass, JournalEntry
from members import services as member_services
from members.models import Member
from members.roles import Role
from members.services import found_community
from proposals import services as proposal_services

DEMO_PASSWORD = "commons-demo"  # noqa: S105 - documented in the README; demo data only
COMMUNITY = "Demo Commons"
STAFF = {
    "alice": ("Alice Martin", Role.FOUNDER),
    "bob": ("Bob Lefèvre", Role.TREASURER),
    "carol": ("Carol Nguyen", Role.STEWARD),
    "dave": ("Dave Okafor", None),
    "erin": ("Erin Dubois", None),
    "frank": ("Frank Moreau", None),
    "ada": ("Ada Rossi", Role.AUDITOR),
}
# More members, so that votes and quorums look like a real community's.
OTHERS = [
    "gabriel", "helene", "ines", "jules", "karim", "lea", "marc", "nadia", "oscar",
    "paula", "quentin", "rosa", "samir", "theo", "ursula", "victor",
]  # fmt: skip
MINUTE = timedelta(minutes=1)


def _person(username: str, display_name: str) -> Member:
    member = Member.objects.create_user(
        username=username,
        email=f"{username}@demo.commons.invalid",
        password=DEMO_PASSWORD,
        display_name=display_name,
    )
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    member_services.apply_for_membership(member=member)
    return member


def _vote(proposal, ballots: dict[str, list[Member]]) -> None:
    for choice, voters in ballots.items():
        for voter in voters:
            proposal_services.cast_vote(proposal_id=proposal.pk, voter=voter, choice=choice)


def _submit(author, *, start, kind, title, body, **contents):
    with time_machine.travel(start, tick=True):
        proposal = proposal_services.create_draft(
            author=author, kind=kind, title=title, body=body, **contents
        )
        return proposal_services.submit_proposal(proposal_id=proposal.pk, actor=author)


def _advance_at(proposal, moment):
    with time_machine.travel(moment + MINUTE, tick=True):
        return proposal_services.advance_proposal(proposal_id=proposal.pk)


def _open_and_vote(proposal, ballots):
    with time_machine.travel(proposal.voting_opens_at + MINUTE, tick=True):
        proposal_services.advance_proposal(proposal_id=proposal.pk)
        _vote(proposal, ballots)


def _held_vote(author, *, start, ballots, **fields):
    """Submit at `start`, open voting on time, cast `ballots`, close on time and,
    if it passed, enact it when its timelock ends — each at its own moment, so
    the journal reads in order."""
    proposal = _submit(author, start=start, **fields)
    _open_and_vote(proposal, ballots)
    proposal = _advance_at(proposal, proposal.voting_closes_at)
    if proposal.state == "passed" and proposal.enactable_at < timezone.now():
        proposal = _advance_at(proposal, proposal.enactable_at)
    return proposal


def is_seeded() -> bool:
    return JournalEntry.objects.exists() or Member.objects.exists()


def seed(*, stdout=None) -> dict:
    """Create the demo community. Refuses (returns {}) if anything exists."""
    if is_seeded():
        return {}
    now = timezone.now()
    year_ago = now - timedelta(days=400)
    with time_machine.travel(year_ago, tick=True), transaction.atomic():
        people = {u: _person(u, name) for u, (name, _role) in STAFF.items()}
        for username in OTHERS:
            people[username] = _person(username, username.capitalize())
        found_community(
            community=COMMUNITY,
            founders=[people["alice"]],
            appointments={
                Role.TREASURER: [people["bob"]],
                Role.STEWARD: [people["carol"]],
                Role.AUDITOR: [people["ada"]],
            },
        )
        for username in ["dave", "erin", "frank", *OTHERS]:
            member_services.admit_member(member=people[username])

    everyone = list(people.values())
    many = everyone[:14]
    # Treasury: funds exist before the community votes its budget.
    from treasury import services as treasury_services

    with time_machine.travel(year_ago + timedelta(days=2), tick=True):
        treasury_services.create_fund(
            actor=people["bob"],
            slug="youth-fund",
            name="Youth fund grant",
            is_restricted=True,
            purpose="Grant restricted to the youth cycling-hosts project.",
        )
        treasury_services.create_fund(
            actor=people["bob"],
            slug="public-grant",
            name="Regional public grant",
            is_restricted=True,
            purpose="Grant restricted to the 18,000 € shared-hosting project.",
        )

    proposals = {}
    # 1. The yearly budget, passed and enacted (treasury draws on its lines).
    proposals["budget"] = _held_vote(
        people["bob"],
        start=now - timedelta(days=370),
        kind="budget",
        title="Budget for the shared-hosting project",
        body=(
            "The 18,000 € project that moves our platform to hosting we control, financed by "
            "a public grant, the youth fund, crowdfunding and patronage."
        ),
        budget_items=[
            {"purpose": "Servers and hosting", "amount_cents": 600_000, "fund": "public-grant"},
            {"purpose": "Youth hosts programme", "amount_cents": 600_000, "fund": "youth-fund"},
            {"purpose": "Development sprint", "amount_cents": 450_000, "fund": "general"},
            {"purpose": "Meetings and travel", "amount_cents": 150_000, "fund": "general"},
        ],
        ballots={"yes": many[:11], "no": many[11:12], "abstain": many[12:14]},
    )
    # 2. An ordinary bylaw amendment, passed and enacted.
    proposals["amendment"] = _held_vote(
        people["erin"],
        start=now - timedelta(days=300),
        kind="amendment",
        title="Lower the suggested dues to 3 euros",
        body="Several members told us 5 euros a month keeps them away. Dues stay voluntary.",
        amendments=[
            {
                "article_slug": "dues",
                "new_title": "Membership dues",
                "new_class": ArticleClass.ORDINARY,
                "new_text": (
                    "Membership is free. Members may pay voluntary monthly dues; the amount "
                    "suggested is 3 euros. Paying dues gives no extra vote."
                ),
            }
        ],
        ballots={"yes": many[:10], "no": many[10:13]},
    )
    # 3. A rejected motion.
    proposals["rejected"] = _held_vote(
        people["frank"],
        start=now - timedelta(days=200),
        kind="motion",
        title="Move our chat to a proprietary messaging app",
        body="It is where most people already are.",
        ballots={"yes": many[:3], "no": many[3:12], "abstain": many[12:13]},
    )
    # The article saying what an hour given is worth (demo/contributions.py
    # replays the hours given under it).
    from demo.contributions import adopt_contributions_article

    adopt_contributions_article(people["alice"], everyone, now - timedelta(days=155))
    # 4. A motion that failed its quorum.
    proposals["failed_quorum"] = _held_vote(
        people["dave"],
        start=now - timedelta(days=120),
        kind="motion",
        title="Rename the monthly meeting",
        body="“Assembly” sounds more welcoming than “meeting”.",
        ballots={"yes": many[:1]},
    )

    # The last weeks interleave, in the order things happened.
    # 5. An appointment that passed and waits out its timelock.
    timelock = _submit(
        people["carol"],
        # An hour before the budget below opens for voting, so the journal
        # reads in order.
        start=now - timedelta(days=23, hours=1),
        kind="appointment",
        title="Appoint Erin as a second steward",
        body="Debates have grown; Carol asks for a second steward so reviews are independent.",
        appointments=[{"member": "erin", "role": Role.STEWARD, "action": "grant"}],
    )
    _open_and_vote(timelock, {"yes": many[:9], "abstain": many[9:11]})
    # 6. A budget that will be in voting.
    voting = _submit(
        people["bob"],
        start=now - timedelta(days=9),
        kind="budget",
        title="Budget for the autumn hosts' gathering",
        body="Room, meals and travel help for hosts who cannot afford the trip.",
        budget_items=[
            {"purpose": "Room and meals", "amount_cents": 120_000, "fund": "general"},
            {"purpose": "Travel help", "amount_cents": 60_000, "fund": "general"},
        ],
    )
    # 7. A legal-structure change that will be in notice.
    notice = _submit(
        people["alice"],
        start=now - timedelta(days=9, hours=-1),
        kind="amendment",
        title="Widen our purpose to cycling hosts",
        body=(
            "Cycling travellers already use the platform. This legal-structure change "
            "says so in our purpose."
        ),
        amendments=[
            {
                "article_slug": "purpose",
                "new_title": "Purpose",
                "new_class": ArticleClass.ENTRENCHED,
                "new_text": (
                    "The association exists to run, for its members and the public, a "
                    "platform that its community designs, operates and finances together, "
                    "for travellers on foot, by bicycle or otherwise, and to keep it free "
                    "of any single owner."
                ),
            }
        ],
    )
    proposals["timelock"] = _advance_at(timelock, timelock.voting_closes_at)
    _open_and_vote(voting, {"yes": many[:5], "no": many[5:6]})
    proposals["voting"] = voting
    proposals["notice"] = _advance_at(notice, notice.discussion_ends_at)
    # 8. A motion in discussion, a draft and a withdrawn proposal.
    with time_machine.travel(now - timedelta(days=1), tick=True):
        discussion = proposal_services.create_draft(
            author=people["dave"],
            kind="motion",
            title="Publish our meeting notes in French and English",
            body="Half of us read French first. Let us publish both.",
        )
        proposals["discussion"] = proposal_services.submit_proposal(
            proposal_id=discussion.pk, actor=people["dave"]
        )
        withdrawn = proposal_services.create_draft(
            author=people["frank"],
            kind="motion",
            title="Buy branded t-shirts",
            body="For the gathering.",
        )
        proposal_services.submit_proposal(proposal_id=withdrawn.pk, actor=people["frank"])
        proposals["withdrawn"] = proposal_services.withdraw_proposal(
            proposal_id=withdrawn.pk, actor=people["frank"]
        )
    proposals["draft"] = proposal_services.create_draft(
        author=people["erin"],
        kind="motion",
        title="A mentoring programme for new hosts",
        body="Draft: pair each new host with an experienced one for their first stay.",
    )

    from demo.treasury import seed_treasury

    seed_treasury(
        treasurer=people["bob"],
        steward=people["carol"],
        auditor=people["ada"],
        budget_proposal=proposals["budget"],
    )
    from demo.debates import seed_debates

    seed_debates(proposals=list(proposals.values()), members=people)
    from demo.contributions import seed_contributions

    seed_contributions(people=people, proposals=proposals)
    from proposals.models import Proposal

    states = sorted(set(Proposal.objects.values_list("state", flat=True)))
    return {"members": len(people), "proposals": len(proposals), "states": states}
