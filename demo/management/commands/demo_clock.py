"""`manage.py demo_clock --advance 7d`: let a demo visitor watch time pass.

A proposal takes weeks to go through discussion, notice, voting and its
timelock. On the demo, a visitor who submits one wants to see it decided
today. This command moves every pending deadline of every proposal still
under way earlier by the span given (`3h`, `7d`, `2w`; never earlier than
now), then applies what has become due through the real services
(`proposals.services.governance_tick`): voting opens, closes and is counted,
and passed proposals are enacted, each journaled truthfully at the moment
it happens.

Why only for a demo. A proposal's schedule is frozen at submission, and the
database guards refuse to rewrite it through the application's connection
(`proposals/triggers/`). This command does what only the database's owner
can: it lifts every guard, rewrites the schedules and reinstalls the guards,
in one transaction (`kernel.guards.uninstall` / `install`), so no other
write ever sees the guards down. A vote already open also gets a new
electorate commitment, over its new window (enactment checks it again). It
journals nothing: there is no true entry to write, and it writes no false
one. So the record no longer explains those schedules, and `manage.py audit`
says so: each proposal it moved is reported under `proposals` (its window
differs from the one journaled at submission; for an open vote, its
commitment differs from the one journaled when voting opened; later, its
close and timelock follow the moved window, not the journaled one).
That is exactly what the audit is for, and why a real community must never
run this: on a real database it would be a forgery, detected. It refuses
unless `DEBUG` is on and the database holds the community `seed_demo`
creates.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from demo.community import COMMUNITY
from governance.models import JournalEntry
from kernel import guards
from members.models import Member
from proposals.models import Proposal
from proposals.phases import PHASES
from proposals.services import governance_tick
from proposals.services.commitment import electorate_commitment, roll_usernames

UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
SPAN = re.compile(r"^([1-9]\d{0,3})([hdw])$")
# Every deadline a proposal under way may still have ahead of it.
DEADLINES = (
    "discussion_ends_at",
    "notice_ends_at",
    "voting_opens_at",
    "voting_closes_at",
    "enactable_at",
)
UNDER_WAY = [state for state, phase in PHASES.items() if phase.deadline]


def parse_span(text: str) -> timedelta:
    match = SPAN.match((text or "").strip().lower())
    if not match:
        raise CommandError(f"“{text}” is not a span: write it like 3h, 7d or 2w.")
    return int(match.group(1)) * UNITS[match.group(2)]


def is_demo_database() -> bool:
    """The database holds the community `seed_demo` made: the founding act
    names it, and its founders' addresses are under `.invalid`, a top-level
    domain reserved never to exist (RFC 2606), which no real community's
    founders can have confirmed."""
    genesis = JournalEntry.objects.filter(seq=1, kind="genesis").first()
    if genesis is None or genesis.payload.get("community") != COMMUNITY:
        return False
    founders = genesis.payload.get("founders") or []
    emails = list(Member.objects.filter(username__in=founders).values_list("email", flat=True))
    return (
        bool(founders)
        and len(emails) == len(founders)
        and all(email.lower().endswith(".invalid") for email in emails)
    )


def move_deadlines(span: timedelta, *, now) -> list[Proposal]:
    """Every deadline still ahead, `span` earlier but not before `now`; the
    guards lifted and reinstalled around it, in the caller's transaction."""
    guards.uninstall(connection)
    moved = []
    for proposal in Proposal.objects.filter(state__in=UNDER_WAY).order_by("pk"):
        changes = {
            field: max(value - span, now)
            for field in DEADLINES
            if (value := getattr(proposal, field)) is not None and value > now
        }
        if changes:
            Proposal.objects.filter(pk=proposal.pk).update(**changes)
            if proposal.commitment and "voting_closes_at" in changes:
                # The commitment covers the voting window; enactment checks it
                # again, so a vote whose window moved commits to the new one.
                proposal.refresh_from_db()
                Proposal.objects.filter(pk=proposal.pk).update(
                    commitment=electorate_commitment(proposal, roll_usernames(proposal))
                )
            moved.append(proposal)
    guards.install(connection)
    return moved


class Command(BaseCommand):
    help = (
        "Demo only: move every pending proposal deadline earlier (--advance 3h, 7d, 2w), "
        "then apply what is due. Refused unless DEBUG is on and the database was seeded "
        "by seed_demo; `manage.py audit` reports the moved schedules afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--advance", required=True, metavar="SPAN", help="how far: 3h, 7d or 2w"
        )

    def handle(self, *args, advance: str, **options):
        span = parse_span(advance)
        if not settings.DEBUG:
            raise CommandError(
                "demo_clock only runs with DEBUG on: it rewrites proposal schedules behind the "
                "guards, which on a real community would be a forgery."
            )
        if not is_demo_database():
            raise CommandError(
                f"demo_clock only runs on the demo community (“{COMMUNITY}”, made by "
                "`manage.py seed_demo`); this database holds another one, or none."
            )
        now = timezone.now()
        try:
            with transaction.atomic():
                moved = move_deadlines(span, now=now)
        except DatabaseError as exc:
            raise CommandError(
                f"The guards could not be lifted ({exc}). Run demo_clock as the database's "
                "owner (the role that runs migrate)."
            ) from exc
        # Like seed_demo: a demo's members are not emailed; the notifications
        # are on their pages.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            steps = dict(governance_tick())
        self.stdout.write(
            f"Moved the deadlines of {len(moved)} proposal(s) {advance} earlier (never before now)."
        )
        for proposal in moved:
            state = steps.get(proposal.pk, proposal.state)
            change = f"{proposal.state} → {state}" if state != proposal.state else state
            self.stdout.write(f"  #{proposal.pk} {proposal.title}: {change}")
        self.stdout.write(
            "The journal says nothing of this; `manage.py audit` now reports these schedules "
            "as unexplained by the record, as it should."
        )
