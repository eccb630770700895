"""`manage.py demo_clock --advance SPAN`: only on a demo, with DEBUG on; it
takes a visitor's own proposal through notice, voting, timelock and
enactment, journals each step truthfully when it happens, and the audit
then names the schedules it moved."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from demo.community import COMMUNITY
from governance.models import BylawVersion, JournalEntry
from kernel import chain
from proposals import services
from proposals.models import Proposal, State
from tests.factories import found, make_member
from tests.proposals.helpers import draft, submit

pytestmark = pytest.mark.django_db

PURPOSE = "The association exists to run a platform for travellers on foot and by bicycle."


def demo_like_community() -> dict:
    """What `seed_demo` makes, as far as demo_clock can tell: the demo's name
    in the founding act, founders under the reserved `.invalid` domain."""
    people = {
        name: make_member(name, email=f"{name}@demo.commons.invalid")
        for name in ("alice", "bob", "carol", "dave")
    }
    found(founders=[people["alice"]], community=COMMUNITY)
    return people


def clock(span: str) -> str:
    out = io.StringIO()
    call_command("demo_clock", f"--advance={span}", stdout=out)
    return out.getvalue()


def schedules() -> list[tuple]:
    return list(
        Proposal.objects.order_by("pk").values_list(
            "state", "discussion_ends_at", "voting_opens_at", "voting_closes_at"
        )
    )


def legal_structure_change(author) -> Proposal:
    proposal = draft(
        author,
        kind="amendment",
        title="Widen our purpose to cycling hosts",
        amendments=[
            {
                "article_slug": "purpose",
                "new_title": "Purpose",
                "new_class": "entrenched",
                "new_text": PURPOSE,
            }
        ],
    )
    return submit(proposal)


# --- refusals ------------------------------------------------------------------------------


@override_settings(DEBUG=False)
def test_refuses_when_debug_is_off_and_moves_nothing():
    people = demo_like_community()
    submit(draft(people["alice"]))
    before = schedules()

    with pytest.raises(CommandError, match="DEBUG"):
        clock("7d")

    assert schedules() == before


@override_settings(DEBUG=True)
def test_refuses_on_a_community_that_seed_demo_did_not_make(community):
    submit(draft(community["alice"]))
    before = schedules()

    with pytest.raises(CommandError, match="only runs on the demo community"):
        clock("7d")

    assert schedules() == before


@override_settings(DEBUG=True)
def test_refuses_a_community_that_only_borrows_the_demo_name():
    alice = make_member("alice", email="alice@example.org")
    found(founders=[alice], community=COMMUNITY)

    with pytest.raises(CommandError, match="only runs on the demo community"):
        clock("7d")


@override_settings(DEBUG=True)
def test_refuses_before_any_community_is_founded():
    with pytest.raises(CommandError, match="only runs on the demo community"):
        clock("7d")


@override_settings(DEBUG=True)
@pytest.mark.parametrize("span", ["7", "7 days", "0d", "-3h", "1y", ""])
def test_refuses_a_span_it_cannot_read(span):
    demo_like_community()

    with pytest.raises(CommandError, match="is not a span"):
        clock(span)


# --- moving time ---------------------------------------------------------------------------


@override_settings(DEBUG=True)
def test_a_short_advance_moves_deadlines_earlier_without_skipping_a_phase():
    people = demo_like_community()
    proposal = submit(draft(people["alice"]))
    ends = proposal.discussion_ends_at

    clock("3h")

    proposal.refresh_from_db()
    assert proposal.state == State.DISCUSSION
    assert proposal.discussion_ends_at == ends - timedelta(hours=3)
    assert proposal.voting_closes_at - proposal.voting_opens_at == timedelta(days=14)


@override_settings(DEBUG=True)
def test_a_visitor_watches_a_legal_structure_change_through_notice_voting_timelock_enactment():
    people = demo_like_community()
    proposal = legal_structure_change(people["alice"])
    first_entry = JournalEntry.objects.order_by("-seq").first().seq

    out = clock("7d")  # discussion over: the members get notice
    proposal.refresh_from_db()
    assert proposal.state == State.NOTICE
    assert f"#{proposal.pk} Widen our purpose to cycling hosts: discussion → notice" in out

    clock("2w")  # notice over: voting opens
    proposal.refresh_from_db()
    assert proposal.state == State.VOTING
    for voter in people.values():
        services.cast_vote(proposal_id=proposal.pk, voter=voter, choice="yes")

    clock("2w")  # voting over: passed, waiting out its timelock
    proposal.refresh_from_db()
    assert proposal.state == State.PASSED
    assert proposal.yes_count == len(people)
    assert proposal.enactable_at > timezone.now()

    clock("7d")  # timelock over: enacted, the new purpose in force
    proposal.refresh_from_db()
    assert proposal.state == State.ENACTED
    assert BylawVersion.objects.filter(article__slug="purpose").latest("number").text == PURPOSE

    steps = list(
        JournalEntry.objects.filter(seq__gt=first_entry)
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert steps == [
        "proposal.notice",
        "proposal.voting_opened",
        "proposal.closed",
        "bylaw.version_created",
        "proposal.enacted",
    ]
    lines = [
        chain.canonical_json(e.as_export()).decode() for e in JournalEntry.objects.order_by("seq")
    ]
    assert chain.verify_lines(lines).ok


@override_settings(DEBUG=True)
def test_an_advance_never_moves_a_deadline_before_now():
    """Ballots already cast stay inside the window they were cast in."""
    people = demo_like_community()
    proposal = submit(draft(people["alice"]))
    clock("1w")
    proposal.refresh_from_db()
    assert proposal.state == State.VOTING
    services.cast_vote(proposal_id=proposal.pk, voter=people["bob"], choice="yes")
    before = timezone.now()

    clock("8w")

    proposal.refresh_from_db()
    assert proposal.state in (State.PASSED, State.FAILED_QUORUM, State.REJECTED)
    assert proposal.closed_at >= before
    assert proposal.ballots.get().cast_at <= proposal.closed_at


@override_settings(DEBUG=True)
def test_the_guards_are_back_after_an_advance(as_application):
    from django.db import IntegrityError

    people = demo_like_community()
    proposal = submit(draft(people["alice"]))
    clock("3h")

    with (
        pytest.raises(IntegrityError, match="schedule of a submitted proposal are frozen"),
        as_application(),
    ):
        Proposal.objects.filter(pk=proposal.pk).update(
            voting_closes_at=proposal.voting_closes_at - timedelta(days=1)
        )


@override_settings(DEBUG=True)
def test_the_audit_names_the_schedules_it_moved():
    """Documented in the command and the README: the record does not explain
    a moved schedule, and the audit says so."""
    people = demo_like_community()
    proposal = submit(draft(people["alice"]))
    call_command("audit", stdout=io.StringIO())  # the record explains everything so far

    clock("1w")

    out = io.StringIO()
    with pytest.raises(CommandError, match="Audit FAILED"):
        call_command("audit", stdout=out)
    assert f"#{proposal.pk}" in out.getvalue() or f"proposal {proposal.pk}" in out.getvalue()
