import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from governance.selectors import journal_head
from tests.proposals.helpers import draft, hold_vote

pytestmark = pytest.mark.django_db


def test_recount_shows_the_running_tally_agrees_with_the_ballots(community, capsys):
    alice, bob = community["alice"], community["bob"]
    proposal = hold_vote(draft(alice), yes=[alice], no=[bob], enact=False)
    call_command("recount", str(proposal.pk))
    out = capsys.readouterr().out
    assert "agrees" in out
    assert "yes      tally        1   ballots        1" in out


def test_recount_of_an_unknown_proposal_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no proposal #999"):
        call_command("recount", "999")


def test_governance_tick_is_idempotent(community, capsys):
    alice = community["alice"]
    hold_vote(draft(alice), yes=[alice], enact=False)
    call_command("governance_tick")
    call_command("governance_tick")
    out = capsys.readouterr().out
    assert "proposal #" in out
    assert out.strip().endswith("0 proposal(s) advanced")


def test_daily_digest_gives_every_member_the_journal_head(community):
    call_command("send_daily_digest")
    seq, head = journal_head()
    assert len(mail.outbox) == 4
    assert all(f"{seq}:{head}" in message.body for message in mail.outbox)
