"""What cannot be blocked is detected: a database owner who disables the
triggers and rewrites the journal, cuts its tail or forges a passed proposal
is caught by the chain verifier and `verify_journal`; and the journal itself
refuses changes through the application's connection."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from governance import selectors
from governance.models import BylawVersion, JournalEntry
from kernel import chain
from kernel.models import ChainHead
from tests.factories import make_member
from tests.governance.helpers import TARGET, raw, snapshot, triggers_removed

GUARD = "bylaw guard"
CHAIN_GUARD = "chain guard: the governance chain is append-only"


# --- the journal ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_journal_update_and_delete_are_rejected(community):
    genesis = JournalEntry.objects.get(seq=1)
    count = JournalEntry.objects.count()
    with pytest.raises(IntegrityError, match=CHAIN_GUARD), transaction.atomic():
        JournalEntry.objects.filter(seq=1).update(payload={"community": "Evil Corp"})
    with pytest.raises(IntegrityError, match=CHAIN_GUARD), transaction.atomic():
        genesis.delete()
    with pytest.raises(IntegrityError, match=CHAIN_GUARD), transaction.atomic():
        raw("UPDATE governance_journalentry SET kind = %s WHERE seq = 1", ["nothing"])
    with pytest.raises(IntegrityError, match=CHAIN_GUARD), transaction.atomic():
        raw("DELETE FROM governance_journalentry WHERE seq > 0")
    assert JournalEntry.objects.count() == count
    assert JournalEntry.objects.get(seq=1).payload == genesis.payload


# --- tamper detection: a database owner disables the triggers -------------------------------


@pytest.fixture
def history(community):
    """A journal that goes on after the founding act: three members admitted since."""
    for name in ("dan", "erin", "frank"):
        make_member(name, admitted_days_ago=0)
    assert JournalEntry.objects.count() == 4
    return community


def _export_to(tmp_path, client) -> str:
    response = client.get(reverse("governance-api:journal_export"))
    path = tmp_path / "export.jsonl"
    path.write_bytes(b"".join(response.streaming_content))
    return str(path)


@pytest.mark.django_db(transaction=True)
def test_a_rewritten_journal_entry_is_detected(history, client, tmp_path):
    call_command("verify_journal")
    victim = JournalEntry.objects.get(seq=2)
    with triggers_removed():
        JournalEntry.objects.filter(seq=2).update(payload={**victim.payload, "forged": True})
    with pytest.raises(CommandError, match=r"seq 2\b"):
        call_command("verify_journal")
    result = chain.verify_file(_export_to(tmp_path, client))
    assert not result.ok
    assert result.error_line == 2
    assert result.error_seq == 2


@pytest.mark.django_db(transaction=True)
def test_a_cut_tail_verifies_alone_but_not_against_a_saved_head(history, client, tmp_path):
    saved_seq, saved_hash = selectors.journal_head()
    saved = f"{saved_seq}:{saved_hash}"
    call_command("verify_journal", expect_head=saved)
    with triggers_removed():
        # A careful attacker cuts the last entries and moves the head row back too.
        JournalEntry.objects.filter(seq__gt=saved_seq - 2).delete()
        last = JournalEntry.objects.order_by("-seq").first()
        ChainHead.objects.filter(name="governance").update(seq=last.seq, hash=last.hash)
    call_command("verify_journal")  # the cut chain is internally consistent…
    with pytest.raises(CommandError, match=r"history cut"):
        call_command("verify_journal", expect_head=saved)  # …but the saved head is gone
    path = _export_to(tmp_path, client)
    assert chain.verify_file(path).ok
    cut = chain.verify_file(path, expect_head=(saved_seq, saved_hash))
    assert not cut.ok
    assert "history cut" in cut.error


@pytest.mark.django_db(transaction=True)
def test_a_cut_tail_without_moving_the_head_row_is_detected(community):
    head_seq, _hash = selectors.journal_head()
    with triggers_removed():
        JournalEntry.objects.filter(seq=head_seq).delete()
    with pytest.raises(CommandError, match="stored chain head"):
        call_command("verify_journal")


@pytest.mark.django_db(transaction=True)
def test_a_rebuilt_history_with_fresh_hashes_fails_against_a_saved_head(history):
    """Rewrite entry 2 and re-hash everything after it: the chain is valid again,
    and only a head saved earlier shows the rewrite."""
    saved_seq, saved_hash = selectors.journal_head()
    entries = list(JournalEntry.objects.order_by("seq"))
    with triggers_removed():
        JournalEntry.objects.all().delete()
        prev = chain.GENESIS_PREV
        for entry in entries:
            payload = entry.payload
            if entry.seq == 2:
                payload = {**payload, "forged": True}
            fields = chain.make_entry(
                prev=prev,
                seq=entry.seq,
                at=entry.at,
                kind=entry.kind,
                actor=entry.actor,
                payload=payload,
            )
            JournalEntry.objects.create(**fields)
            prev = fields["hash"]
        ChainHead.objects.filter(name="governance").update(seq=entries[-1].seq, hash=prev)
    call_command("verify_journal")
    with pytest.raises(CommandError, match=r"history rewritten"):
        call_command("verify_journal", expect_head=f"{saved_seq}:{saved_hash}")


@pytest.mark.django_db(transaction=True)
def test_triggers_are_back_after_a_tamper_test(community):
    with triggers_removed():
        pass
    with pytest.raises(IntegrityError, match=CHAIN_GUARD), transaction.atomic():
        JournalEntry.objects.filter(seq=1).delete()


# --- a forged "passed" proposal -------------------------------------------------------------


def _forge_passed_proposal(community, *, decision_class="entrenched"):
    from proposals.models import Amendment, Proposal

    now = timezone.now()
    proposal = Proposal.objects.create(
        kind="amendment",
        title="Nothing to see",
        body="",
        author=community["alice"],
        state="passed",
        decision_class=decision_class,
        rules={},
        created_at=now,
        submitted_at=now,
        enactable_at=now - timedelta(days=1),
        yes_count=99,
    )
    Amendment.objects.create(
        proposal=proposal,
        article_slug=TARGET,
        new_title="Legal form",
        new_class="ordinary",
        new_text="The association is a company.",
    )
    return proposal


@pytest.mark.django_db
def test_orm_version_citing_a_forged_ordinary_proposal_is_rejected(community, target):
    before = snapshot()
    # Forging the passed proposal is itself refused; were it not, the version
    # would still be refused for citing an ordinary decision.
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        proposal = _forge_passed_proposal(community, decision_class="ordinary")
        BylawVersion.objects.create(
            article=target.article,
            number=2,
            title="Legal form",
            article_class="ordinary",
            text="The association is a company.",
            enacted_by=proposal,
            enacted_at=timezone.now(),
        )
    assert snapshot() == before


@pytest.mark.django_db
def test_a_proposal_cannot_be_inserted_as_already_passed(community):
    from proposals.models import Proposal

    try:
        with transaction.atomic():
            _forge_passed_proposal(community)
    except IntegrityError as exc:
        assert GUARD in str(exc)
    else:
        raise AssertionError("a proposal was inserted directly in state 'passed'")
    assert not Proposal.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_version_enacted_by_a_forged_proposal_is_detected_by_verify_journal(community, target):
    """A database owner can drop the triggers and forge a passed proposal and a
    version; no journal entry attests that text, so verify_journal names it."""
    call_command("verify_journal")
    with triggers_removed():
        proposal = _forge_passed_proposal(community)
        BylawVersion.objects.create(
            article=target.article,
            number=2,
            title="Legal form",
            article_class="ordinary",
            text="The association is a company.",
            enacted_by=proposal,
            enacted_at=timezone.now(),
        )
    with pytest.raises(CommandError, match=rf"not attested by the journal.*{TARGET} v2"):
        call_command("verify_journal")


@pytest.mark.django_db(transaction=True)
def test_a_bylaw_text_rewritten_with_triggers_off_is_detected(community):
    with triggers_removed():
        BylawVersion.objects.filter(article__slug=TARGET).update(text="A company.")
    with pytest.raises(CommandError, match=rf"not attested by the journal.*{TARGET} v1"):
        call_command("verify_journal")
