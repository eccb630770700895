"""`manage.py audit`: what only the database owner could forge, the audit reports.

Each test builds a record through the services, then plays the owner: it
lifts every guard (`kernel.guards.uninstall`, which only the owner of the
tables can do), forges one row, puts the guards back, and checks that the
audit names the forged row — and that the same record untouched is clean.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from debates import services as debates
from debates.models import Argument
from governance.models import BylawVersion, JournalEntry
from kernel import audit, guards
from kernel.models import ChainHead
from members.models import Membership, RoleAssignment
from members.services import suspend_member
from proposals.models import Amendment, Ballot, ElectorateEntry, Proposal
from proposals.services import invite_coauthor
from tests.factories import make_member
from tests.proposals.helpers import amend, draft, hold_vote, pass_budget, voting_now
from treasury import services as treasury
from treasury.models import Account, BudgetLine, Posting

pytestmark = pytest.mark.django_db


@contextmanager
def as_owner():
    """What only the owner of the tables can do: write with the guards lifted."""
    guards.uninstall(connection)
    try:
        yield
    finally:
        guards.install(connection)


def findings(*only: str) -> list[str]:
    return [str(f) for f in audit.run(only=list(only) or None).findings]


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def journal_of_three(community):
    """The genesis and two admissions."""
    make_member("dave")
    make_member("erin")
    assert JournalEntry.objects.count() == 3


@pytest.fixture
def voters(community):
    return list(community.values())


@pytest.fixture
def rejected(community, voters):
    """A motion that got 1 yes and 3 no."""
    return hold_vote(draft(community["alice"]), yes=voters[:1], no=voters[1:])


def test_a_record_built_by_the_services_is_fully_explained(community, voters, media_root):
    alice, bob, carol = community["alice"], community["bob"], community["carol"]
    hold_vote(draft(alice), yes=voters[:1], no=voters[1:])
    amend(alice, voters, slug="dues", text="Dues are voluntary.")
    budget = pass_budget(alice, voters, lines=[{"purpose": "Chairs", "amount_cents": 30_000}])
    line = budget.budget_lines.get()
    treasury.record_income(
        actor=bob,
        kind="donation",
        amount_cents=10_000,
        date=date.today(),
        method="processor",
        fee_cents=300,
    )
    from tests.treasury.helpers import receipt_file

    treasury.record_expense(
        actor=bob,
        budget_line_id=line.pk,
        amount_cents=12_000,
        date=date.today(),
        description="Chairs",
        payee="Shop",
        method="bank",
        receipt_file=receipt_file(),
    )
    dave = make_member("dave")
    suspend_member(member=dave, actor=carol, reason="Spam")
    proposal = voting_now(alice)
    message = debates.post_argument(actor=bob, proposal_id=proposal.pk, body="No.", stance="contra")
    debates.hide_argument(actor=carol, argument_id=message.pk, reason="Off topic")
    assert findings() == []
    call_command("audit")  # exit status 0


def test_a_rejected_vote_forged_into_a_pass_is_reported(rejected):
    with as_owner():
        Proposal.objects.filter(pk=rejected.pk).update(state="passed", enactable_at=timezone.now())
    assert any(
        f"proposal #{rejected.pk}" in line and "gives rejected" in line
        for line in findings("proposals")
    )


def test_an_electorate_shrunk_after_the_close_is_reported(rejected):
    with as_owner():
        Proposal.objects.filter(pk=rejected.pk).update(electorate_size=1)
    assert any("electorate size" in line for line in findings("proposals"))


def test_ballots_flipped_with_the_tally_after_the_close_are_reported(rejected):
    with as_owner():
        Ballot.objects.filter(proposal=rejected, choice="no").update(choice="yes")
        Proposal.objects.filter(pk=rejected.pk).update(
            yes_count=4, no_count=0, state="passed", enactable_at=timezone.now()
        )
    assert any("recount" in line for line in findings("proposals"))


def test_a_padded_roll_is_reported(community, rejected):
    outsider = make_member("late", admitted_days_ago=0)
    with as_owner():
        ElectorateEntry.objects.create(proposal=rejected, member=outsider)
    reported = findings("proposals")
    assert any("not eligible: late" in line for line in reported)
    assert any("commitment" in line for line in reported)


def test_an_amendment_swapped_between_vote_and_enactment_is_reported(community, voters):
    passed = amend(
        community["alice"], voters, slug="legal-form", text="A cooperative.", enact=False
    )
    with as_owner():
        Amendment.objects.filter(proposal=passed).update(new_text="A company with shares.")
    assert any("commitment" in line for line in findings("proposals"))


def test_a_backdated_admission_is_reported(community):
    dave = make_member("dave", admitted_days_ago=5)
    with as_owner():
        Membership.objects.filter(member=dave).update(admitted_at=timezone.now().replace(year=2020))
    assert findings("standing") == [
        "[standing] member dave: admission date differs from the journal's"
    ]


def test_a_member_written_without_the_journal_is_reported(community):
    from members.models import Member

    ghost = Member.objects.create_user(username="ghost", password="x" * 12)
    with as_owner():
        Membership.objects.create(
            member=ghost, status="member", applied_at=timezone.now(), admitted_at=timezone.now()
        )
    assert any("member ghost" in line for line in findings("standing"))


def test_a_role_granted_directly_is_reported(community):
    with as_owner():
        RoleAssignment.objects.create(
            member=community["alice"], role="steward", granted_at=timezone.now(), grant_reason="x"
        )
    assert findings("roles") == [
        "[roles] role steward of alice: held in the database; the journal grants none"
    ]


def test_a_budget_line_raised_after_the_vote_is_reported(community, voters):
    budget = pass_budget(
        community["alice"], voters, lines=[{"purpose": "Chairs", "amount_cents": 30_000}]
    )
    line = budget.budget_lines.get()
    with as_owner():
        BudgetLine.objects.filter(pk=line.pk).update(amount_cents=5_000_000)
    assert findings("spending") == [
        f"[spending] budget line #{line.pk}: differs from the line the journal says was voted"
    ]


def test_a_posting_moved_to_another_account_is_reported(community):
    income = treasury.record_income(
        actor=community["bob"],
        kind="donation",
        amount_cents=10_000,
        date=date.today(),
        method="bank",
    )
    fees = Account.objects.get(code="expenses:platform-fees")
    with as_owner():
        Posting.objects.filter(transaction=income, amount_cents__lt=0).update(account=fees)
    reported = findings("ledger", "balances")
    assert any("does not match the postings" in line for line in reported)
    assert any("account" in line and "balance" in line for line in reported)


def test_a_chain_head_moved_back_is_reported(journal_of_three):
    before = JournalEntry.objects.get(seq=2)
    with as_owner():
        ChainHead.objects.filter(name="governance").update(seq=before.seq, hash=before.hash)
    assert any("does not name the last entry" in line for line in findings("journal"))


def test_a_cut_tail_is_reported_against_a_saved_head(journal_of_three):
    saved = JournalEntry.objects.order_by("-seq").first()
    with as_owner():
        JournalEntry.objects.filter(seq=saved.seq).delete()
        previous = JournalEntry.objects.order_by("-seq").first()
        ChainHead.objects.filter(name="governance").update(seq=previous.seq, hash=previous.hash)
    assert findings("journal") == []  # the chain alone looks whole...
    result = audit.run(only=["journal"], expect_heads={"governance": (saved.seq, saved.hash)})
    assert [str(f) for f in result.findings] == [
        f"[journal] journal: FAILED: saved head 3:{saved.hash} is missing: the export ends at "
        "seq 2 (history cut)"
    ]


def test_a_rewritten_bylaw_text_is_reported(community):
    with as_owner():
        BylawVersion.objects.filter(article__slug="legal-form").update(text="A company.")
    assert findings("bylaws") == [
        "[bylaws] bylaw legal-form v1: differs from the version the journal records"
    ]


def test_a_message_unhidden_silently_is_reported(community):
    proposal = voting_now(community["alice"])
    message = debates.post_argument(
        actor=community["bob"], proposal_id=proposal.pk, body="Rude.", stance="contra"
    )
    debates.hide_argument(actor=community["carol"], argument_id=message.pk, reason="Insult")
    with as_owner():
        Argument.objects.filter(pk=message.pk).update(
            status="visible", hidden_by=None, hidden_reason="", hidden_at=None
        )
    assert findings("moderation") == [
        f"[moderation] debate message #{message.pk}: is visible; its journaled moderation "
        "leaves it hidden"
    ]


def test_a_body_rewritten_without_a_revision_is_reported(community):
    proposal = voting_now(community["alice"])
    message = debates.post_argument(
        actor=community["bob"], proposal_id=proposal.pk, body="Yes, plant them.", stance="pro"
    )
    with as_owner():
        Argument.objects.filter(pk=message.pk).update(body="No, never.", body_html="<p>No</p>")
    assert findings("revisions") == [
        f"[revisions] debate message #{message.pk}: its text is not its latest revision"
    ]


def test_a_coauthor_the_journal_never_shows_is_reported(community):
    from guardian.shortcuts import assign_perm

    proposal = voting_now(community["alice"])
    with as_owner():
        assign_perm("change_proposal", community["bob"], proposal)
    assert any(
        "co-authors the journal never shows invited: bob" in line for line in findings("proposals")
    )


def test_invited_coauthors_are_explained(community):
    proposal = draft(community["alice"])
    invite_coauthor(proposal_id=proposal.pk, actor=community["alice"], coauthor=community["bob"])
    from tests.proposals.helpers import submit

    submit(proposal)
    invite_coauthor(proposal_id=proposal.pk, actor=community["alice"], coauthor=community["ada"])
    assert findings("proposals") == []


def test_the_command_fails_and_lists_what_it_found(rejected, capsys):
    with as_owner():
        Proposal.objects.filter(pk=rejected.pk).update(electorate_size=1)
    with pytest.raises(CommandError, match="Audit FAILED"):
        call_command("audit", "--only", "proposals")
    assert "electorate size" in capsys.readouterr().out


def test_the_command_refuses_unknown_checks():
    with pytest.raises(CommandError, match="unknown checks: nonsense"):
        call_command("audit", "--only", "nonsense")


def test_anyone_recomputes_a_commitment_from_the_published_roll(community, client):
    """The recipe in docs/auditing.md, run against the public API."""
    import hashlib
    import json

    proposal = voting_now(community["alice"])
    roll = client.get(f"/api/v1/proposals/{proposal.pk}/roll/").json()
    digest = hashlib.sha256(
        json.dumps(
            roll["header"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    )
    for username in roll["members"]:
        digest.update(b"\n" + username.encode())
    journaled = JournalEntry.objects.get(kind="proposal.voting_opened", seq=roll["journal_seq"])
    assert digest.hexdigest() == roll["commitment"] == journaled.payload["commitment"]
    assert roll["members"] == ["ada", "alice", "bob", "carol"]
    page = client.get(f"/proposals/{proposal.pk}/roll/")
    assert page.status_code == 200 and roll["commitment"] in page.content.decode()


def test_before_voting_opens_there_is_no_roll(community, client):
    proposal = draft(community["alice"])
    from tests.proposals.helpers import submit

    submit(proposal)
    response = client.get(f"/api/v1/proposals/{proposal.pk}/roll/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_restricted_money_moved_to_another_fund_is_reported(community):
    """The owner posts, guards lifted, a transfer that takes grant money out of
    its restricted fund, with a perfectly valid ledger entry."""
    from kernel.chains import append_to_chain
    from treasury.models import Fund, LedgerEntry, Transaction
    from treasury.services.posting import _payload

    bob = community["bob"]
    youth = treasury.create_fund(
        actor=bob, slug="youth", name="Youth grant", is_restricted=True, purpose="Workshops"
    )
    general = Fund.objects.get(slug="general")
    bank, cash = Account.objects.get(code="assets:bank"), Account.objects.get(code="assets:cash")
    lines = [(cash, general, 1_000), (bank, youth, -1_000)]
    with as_owner():
        txn = Transaction.objects.create(
            date=date.today(),
            description="Petty cash",
            kind="transfer",
            recorded_by=bob,
            posted_at=timezone.now(),
            status="posted",
        )
        for account, fund, amount in lines:
            Posting.objects.create(transaction=txn, account=account, fund=fund, amount_cents=amount)
        append_to_chain(
            model=LedgerEntry,
            kind="treasury.transfer",
            actor="bob",
            payload=_payload(txn, lines),
            transaction=txn,
        )
    assert findings("ledger", "balances") == []  # the books agree with the ledger...
    assert findings("spending") == [  # ...but the money left its fund
        f"[spending] ledger entry {txn.ledger_entry.seq}: a transfer moves money from one "
        "fund to another"
    ]
