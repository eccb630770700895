"""Red team: what a decision contains (amendments, budget items,
appointments), its revisions and co-authors, attacked through the
application's own connection."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import F
from django.utils import timezone

from governance.selectors import current_version
from proposals import services
from proposals.models import (
    Amendment,
    Appointment,
    BudgetItem,
    Proposal,
    ProposalRevision,
    ProposalUserObjectPermission,
)
from tests.factories import make_member
from tests.guards.helpers import (
    DAY,
    MINUTE,
    announce,
    held,
    raw,
    rows,
    submitted_ago,
)
from tests.guards.proposals_helpers import (
    COAUTHOR,
    CONTENTS,
    FROZEN_TEXT,
    LEGAL_FORM,
    MODERATION,
    REVISION,
    proposal_rows,
)
from tests.proposals.helpers import draft, voting_now
from treasury.models import BudgetLine, Fund

# --- what a decision contains --------------------------------------------------------------------


def test_an_amendment_cannot_be_edited_during_notice(people, refused):
    proposal = draft(people["alice"], kind="amendment", amendments=[LEGAL_FORM])
    proposal = submitted_ago(proposal, 8 * DAY)
    assert proposal.state == "notice"
    amendment = proposal.amendments.get()
    before, contents = proposal_rows(proposal), rows(Amendment, proposal=proposal)
    with refused(CONTENTS):
        Amendment.objects.filter(pk=amendment.pk).update(new_text="A company owned by the founder.")
    amendment.new_text = "A company owned by the founder."
    with refused(CONTENTS):
        amendment.save()
    with refused(CONTENTS):
        Amendment.objects.bulk_update([amendment], ["new_text"])
    with refused(CONTENTS):
        raw("UPDATE proposals_amendment SET new_text = 'x' WHERE id = %s", [amendment.pk])
    with refused(CONTENTS):
        Amendment.objects.filter(pk=amendment.pk).delete()
    with refused(CONTENTS):
        Amendment.objects.create(proposal=proposal, **{**MODERATION, "new_text": "Slipped in."})
    with refused(FROZEN_TEXT):
        Proposal.objects.filter(pk=proposal.pk).update(body="Another explanation.")
    assert proposal_rows(proposal) == before
    assert rows(Amendment, proposal=proposal) == contents


def test_an_amendment_cannot_be_edited_between_the_vote_and_its_enactment(people, refused):
    proposal = held(
        draft(people["alice"], kind="amendment", amendments=[MODERATION]),
        yes=list(people.values()),
        closed_ago=DAY,
    )
    assert proposal.state == "passed"
    amendment = proposal.amendments.get()
    other = draft(
        people["bob"], kind="amendment", amendments=[{**MODERATION, "new_text": "Other."}]
    )
    contents = rows(Amendment)
    with refused(CONTENTS):
        Amendment.objects.filter(pk=amendment.pk).update(new_text="Stewards delete at will.")
    with refused(CONTENTS):  # move the draft's amendment onto the passed proposal
        Amendment.objects.filter(proposal=other).update(proposal=proposal)
    with refused(CONTENTS):
        Amendment.objects.filter(pk=amendment.pk).update(proposal=other)
    assert rows(Amendment) == contents
    with time_machine.travel(proposal.enactable_at + MINUTE, tick=False):
        services.enact_proposal(proposal_id=proposal.pk)
    assert current_version("moderation").text == MODERATION["new_text"]


@pytest.fixture
def voted_budget(people):
    """A budget of one line, 300.00, passed ten days ago; not yet enacted."""
    proposal = held(
        draft(
            people["alice"],
            kind="budget",
            title="Chairs",
            budget_items=[{"purpose": "Chairs", "amount_cents": 30_000, "fund": "general"}],
        ),
        yes=list(people.values()),
    )
    assert proposal.state == "passed" and proposal.enactable_at < timezone.now()
    return proposal


def test_a_budget_voted_at_300_cannot_become_50000(voted_budget, refused):
    proposal = voted_budget
    item = proposal.budget_items.get()
    items = rows(BudgetItem, proposal=proposal)
    with refused(CONTENTS):
        BudgetItem.objects.filter(pk=item.pk).update(amount_cents=5_000_000)
    with refused(CONTENTS):
        BudgetItem.objects.create(proposal=proposal, purpose="Chairs, more", amount_cents=4_970_000)
    with refused("budget lines are opened only by enacting a passed budget proposal, exactly"):
        BudgetLine.objects.create(
            proposal=proposal,
            budget_item=item,
            purpose="Chairs",
            fund=Fund.objects.get(slug="general"),
            amount_cents=5_000_000,
            opened_at=timezone.now(),
        )
    assert rows(BudgetItem, proposal=proposal) == items
    assert not BudgetLine.objects.exists()
    services.enact_proposal(proposal_id=proposal.pk)
    assert list(BudgetLine.objects.values_list("amount_cents", flat=True)) == [30_000]
    with refused("budget lines are opened only by enacting a passed budget proposal"):
        BudgetLine.objects.create(
            proposal=proposal,
            budget_item=item,
            purpose="Chairs",
            fund=Fund.objects.get(slug="general"),
            amount_cents=30_000,
            opened_at=timezone.now(),
        )


def test_the_appointee_cannot_be_swapped_after_the_vote(people, refused):
    from members.models import RoleAssignment

    proposal = held(
        draft(
            people["eve"],
            kind="appointment",
            appointments=[{"member": "eve", "role": "auditor", "action": "grant"}],
        ),
        yes=list(people.values()),
    )
    assert proposal.state == "passed" and proposal.enactable_at < timezone.now()
    appointment = proposal.appointments.get()
    contents, roles = rows(Appointment), rows(RoleAssignment)
    with refused(CONTENTS):
        Appointment.objects.filter(pk=appointment.pk).update(member=people["alice"])
    with refused(CONTENTS):
        Appointment.objects.filter(pk=appointment.pk).update(role="treasurer")
    with refused(CONTENTS):
        Appointment.objects.create(
            proposal=proposal, member=people["alice"], role="treasurer", action="grant"
        )
    with refused("a role is granted only by the enacted appointment it names"):
        announce("role.appointed", member="alice", role="auditor", proposal=proposal.pk)
        RoleAssignment.objects.create(
            member=people["alice"],
            role="auditor",
            granted_at=timezone.now(),
            granted_by_proposal=proposal,
            grant_reason="appointed by proposal",
        )
    assert rows(Appointment) == contents
    assert rows(RoleAssignment) == roles
    services.enact_proposal(proposal_id=proposal.pk)
    holders = RoleAssignment.objects.filter(role="auditor", revoked_at__isnull=True)
    assert sorted(holders.values_list("member__username", flat=True)) == ["ada", "eve"]


def test_a_passed_decision_cannot_trade_places_with_a_draft(voted_budget, refused):
    """Once got through (both databases). The proposal guard runs only on UPDATEs that name
    one of its columns (`UPDATE OF …`), and `id` is not among them: three
    `UPDATE proposals_proposal SET id = …` swap the passed budget's row with a
    draft's, so the draft's 50,000.00 line now hangs off a passed, enactable
    row, and the budget line trigger (which reads state, kind and item by
    proposal id) opens it. Deferred foreign keys are consistent at commit."""
    from treasury.services import open_budget_lines_for

    passed = voted_budget
    forged = draft(
        passed.author,
        kind="budget",
        title="Chairs",
        budget_items=[{"purpose": "Chairs", "amount_cents": 5_000_000, "fund": "general"}],
    )
    before = rows(Proposal)
    spare = Proposal.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    with refused("a guarded row's key never changes"):
        for old, new in ((passed.pk, spare), (forged.pk, passed.pk), (spare, forged.pk)):
            raw("UPDATE proposals_proposal SET id = %s WHERE id = %s", [new, old])
        open_budget_lines_for(proposal=Proposal.objects.get(pk=forged.pk))
        connection.check_constraints()  # what a COMMIT would check
    assert rows(Proposal) == before
    assert not BudgetLine.objects.exists()


# --- revisions and co-authors --------------------------------------------------------------------


def test_revisions_are_kept_in_order_and_never_changed(people, refused):
    proposal = submitted_ago(draft(people["alice"]), MINUTE)
    services.update_proposal(
        proposal_id=proposal.pk, actor=people["alice"], title="A proposal", body="Second text."
    )
    first = proposal.revisions.get(number=1)
    history = rows(ProposalRevision, proposal=proposal)
    with refused(REVISION):
        ProposalRevision.objects.filter(pk=first.pk).update(body="What I always said.")
    with refused(REVISION):
        first.delete()
    with refused(REVISION):
        ProposalRevision.objects.create(
            proposal=proposal,
            number=7,
            title="Skipped",
            body="Out of order.",
            edited_by=people["alice"],
            created_at=timezone.now(),
        )
    assert rows(ProposalRevision, proposal=proposal) == history

    voting = voting_now(people["bob"])
    with refused(REVISION):
        ProposalRevision.objects.create(
            proposal=voting,
            number=2,
            title="After the freeze",
            body="Too late.",
            edited_by=people["bob"],
            created_at=timezone.now(),
        )


def test_the_text_under_discussion_changes_only_with_a_revision(people, refused):
    """Once got through (both databases, low). After submission the text is public and
    every edit is meant to be kept as a revision (and journaled); the guard
    only freezes the text after discussion, so the text in discussion can be
    replaced silently, without a revision or a journal entry."""
    proposal = submitted_ago(draft(people["alice"]), MINUTE)
    before = proposal_rows(proposal)
    with refused("bylaw guard"):
        Proposal.objects.filter(pk=proposal.pk).update(
            body="A different proposal altogether.", revision=F("revision") + 1
        )
    assert proposal_rows(proposal) == before


def _change_permission():
    return Permission.objects.get(content_type__app_label="proposals", codename="change_proposal")


def test_co_authors_are_members_invited_while_the_text_can_change(people, refused):
    applicant = make_member("ivy", status="applicant")
    discussed = submitted_ago(draft(people["alice"]), MINUTE)
    voting = voting_now(people["alice"])
    perms = rows(ProposalUserObjectPermission)
    with refused(COAUTHOR):  # once voting is open
        ProposalUserObjectPermission.objects.create(
            content_object=voting, user=people["bob"], permission=_change_permission()
        )
    with refused(COAUTHOR):  # someone not in good standing
        ProposalUserObjectPermission.objects.create(
            content_object=discussed, user=applicant, permission=_change_permission()
        )
    with refused(COAUTHOR):  # another permission than co-authoring
        ProposalUserObjectPermission.objects.create(
            content_object=discussed,
            user=people["bob"],
            permission=Permission.objects.get(codename="delete_proposal"),
        )
    assert rows(ProposalUserObjectPermission) == perms

    services.invite_coauthor(
        proposal_id=discussed.pk, actor=people["alice"], coauthor=people["bob"]
    )
    perms = rows(ProposalUserObjectPermission)
    with refused(COAUTHOR):
        ProposalUserObjectPermission.objects.filter(content_object=discussed).update(
            user=people["carol"]
        )
    with refused(COAUTHOR):
        ProposalUserObjectPermission.objects.filter(content_object=discussed).delete()
    assert rows(ProposalUserObjectPermission) == perms
