import pytest
from django.core.management import call_command

from governance.models import JournalEntry
from kernel import chain
from members.models import Member
from proposals.models import Proposal, State

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_a_community_with_every_proposal_state_and_is_idempotent(capsys):
    call_command("seed_demo")
    members = Member.objects.count()
    journal = JournalEntry.objects.count()
    states = set(Proposal.objects.values_list("state", flat=True))
    assert {"alice", "bob", "carol", "dave", "erin", "frank", "ada"} <= set(
        Member.objects.values_list("username", flat=True)
    )
    assert Member.objects.get(username="bob").check_password("commons-demo")
    assert {
        State.DRAFT,
        State.DISCUSSION,
        State.NOTICE,
        State.VOTING,
        State.PASSED,
        State.REJECTED,
        State.FAILED_QUORUM,
        State.ENACTED,
        State.WITHDRAWN,
    } <= states
    call_command("seed_demo", "--if-empty")
    assert (Member.objects.count(), JournalEntry.objects.count()) == (members, journal)
    assert "nothing seeded" in capsys.readouterr().out
    lines = [
        chain.canonical_json(e.as_export()).decode() for e in JournalEntry.objects.order_by("seq")
    ]
    assert chain.verify_lines(lines).ok


def test_the_demo_journal_reads_in_chronological_order():
    call_command("seed_demo")
    times = list(JournalEntry.objects.order_by("seq").values_list("at", flat=True))
    assert times == sorted(times)
