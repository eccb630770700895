"""Red team: bylaw articles and versions, the journal and the chain heads,
attacked through the application's own connection."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from governance import journal
from governance.errors import GuardViolation
from governance.models import BylawArticle, BylawVersion, JournalEntry
from governance.selectors import current_version
from governance.services import enact_article_version
from kernel import chain
from kernel.models import ChainHead
from proposals import services
from proposals.models import Amendment, Proposal
from tests.guards.helpers import DAY, MINUTE, db_time, held, raw, replace_row, rows
from tests.proposals.helpers import draft

APPEND_ONLY = "bylaw guard: bylaw versions are append-only"
VERSION = "the enacting proposal has not passed, is not an amendment, or its timelock"
MISMATCH = "the version differs from what the enacting proposal amends"
CLASS = "an entrenched article or the decision rules change only by a legal-structure decision"
JOURNAL_APPEND_ONLY = "chain guard: the governance chain is append-only"

LEGAL_FORM = {
    "article_slug": "legal-form",
    "new_title": "Legal form",
    "new_class": "entrenched",
    "new_text": "The association is a company with shareholders.",
}
MODERATION = {
    "article_slug": "moderation",
    "new_title": "Moderation",
    "new_class": "ordinary",
    "new_text": "Stewards hide messages with a public reason, reviewed by another steward.",
}
DUES = {
    "article_slug": "dues",
    "new_title": "Dues",
    "new_class": "ordinary",
    "new_text": "Dues are 12.00 a year.",
}


@pytest.fixture
def voters(community):
    return list(community.values())


def version_like(amendment: dict, proposal=None, **fields) -> BylawVersion:
    """The next version of the amended article, as an enactment would write it."""
    current = current_version(amendment["article_slug"])
    values = {
        "article": current.article,
        "number": current.number + 1,
        "title": amendment["new_title"],
        "article_class": amendment["new_class"],
        "text": amendment["new_text"],
        "parameters": None,
        "enacted_by": proposal,
        "enacted_at": timezone.now(),
    }
    values.update(fields)
    return BylawVersion(**values)


# --- versions and articles ------------------------------------------------------------------------


def test_bylaw_versions_never_change(community, refused):
    target = current_version("legal-form")
    before = rows(BylawVersion)
    with refused(APPEND_ONLY):
        BylawVersion.objects.filter(pk=target.pk).update(article_class="ordinary")
    target.text = "The association is a company."
    with refused(APPEND_ONLY):
        target.save()
    with refused(APPEND_ONLY):
        BylawVersion.objects.bulk_update([target], ["text"])
    with refused(APPEND_ONLY):
        BylawVersion.objects.filter(pk=target.pk).delete()
    with refused(APPEND_ONLY):
        raw("UPDATE governance_bylawversion SET text = 'A company.' WHERE id = %s", [target.pk])
    with refused(APPEND_ONLY):
        raw("DELETE FROM governance_bylawversion")
    assert rows(BylawVersion) == before


def test_a_version_needs_a_passed_amendment_whose_timelock_is_over(voters, refused):
    alice = voters[0]
    drafted = draft(alice, kind="amendment", amendments=[LEGAL_FORM])
    in_timelock = held(
        draft(alice, kind="amendment", amendments=[MODERATION]), yes=voters, closed_ago=DAY
    )
    failed = held(draft(alice, kind="amendment", amendments=[DUES]))
    motion = held(draft(alice, title="A motion"), yes=voters)
    assert (in_timelock.state, failed.state, motion.state) == ("passed", "failed_quorum", "passed")
    before = rows(BylawVersion)
    with refused("can only be version 1, written by the founding act"):
        version_like(LEGAL_FORM).save()
    with refused(VERSION):
        version_like(LEGAL_FORM, drafted).save()
    with refused(VERSION):
        BylawVersion.objects.bulk_create([version_like(MODERATION, in_timelock)])
    with refused(VERSION):
        version_like(DUES, failed).save()
    with refused(VERSION):
        version_like(MODERATION, motion).save()
    with refused(VERSION):
        enact_article_version(
            proposal=drafted,
            slug="legal-form",
            title=LEGAL_FORM["new_title"],
            article_class="entrenched",
            text=LEGAL_FORM["new_text"],
            parameters=None,
        )
    assert rows(BylawVersion) == before


def test_a_version_is_exactly_what_was_voted(voters, refused):
    passed = held(draft(voters[0], kind="amendment", amendments=[MODERATION]), yes=voters)
    assert passed.state == "passed" and passed.enactable_at < timezone.now()
    before = rows(BylawVersion)
    with refused(MISMATCH):
        version_like(MODERATION, passed, text="Stewards delete what they like.").save()
    with refused(MISMATCH):
        version_like(MODERATION, passed, title="Censorship").save()
    with refused(MISMATCH):
        version_like(MODERATION, passed, article_class="entrenched").save()
    with refused(MISMATCH):
        version_like(MODERATION, passed, parameters={"admission": "approval"}).save()
    with refused(MISMATCH):  # the voted text, on another article
        version_like(DUES, passed, text=MODERATION["new_text"], title="Moderation").save()
    with refused("bylaw guard: a bylaw version is enacted now, not backdated"):
        version_like(MODERATION, passed, enacted_at=timezone.now() - 30 * DAY).save()
    with refused("bylaw guard: bylaw version numbers must follow on without gaps"):
        version_like(MODERATION, passed, number=5).save()
    assert rows(BylawVersion) == before
    services.enact_proposal(proposal_id=passed.pk)
    assert current_version("moderation").text == MODERATION["new_text"]


def test_an_amendment_retargeted_during_discussion_cannot_enact_an_entrenched_article(
    voters, attempt, refused
):
    """The database lets the contents change during discussion (the service
    refuses an edit that changes the decision class, the database does not);
    the enactment is where the class is checked again."""
    alice = voters[0]
    proposal = draft(alice, kind="amendment", amendments=[MODERATION])
    start = timezone.now() - timedelta(days=7 + 14 + 10)
    with time_machine.travel(start, tick=False):
        services.submit_proposal(proposal_id=proposal.pk, actor=alice)
        with attempt():
            Amendment.objects.filter(proposal=proposal).update(
                article_slug="legal-form", new_title="Legal form", new_text=LEGAL_FORM["new_text"]
            )
    proposal.refresh_from_db()
    assert proposal.decision_class == "ordinary"
    with time_machine.travel(proposal.voting_opens_at + MINUTE, tick=False):
        services.advance_proposal(proposal_id=proposal.pk)
        for voter in voters:
            services.cast_vote(proposal_id=proposal.pk, voter=voter, choice="yes")
    with time_machine.travel(proposal.voting_closes_at + MINUTE, tick=False):
        services.advance_proposal(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.state == "passed"
    before = rows(BylawVersion)
    with pytest.raises(GuardViolation):
        services.enact_proposal(proposal_id=proposal.pk)
    amended = {**LEGAL_FORM, "new_class": "ordinary"}
    with refused(CLASS):
        version_like(amended, proposal).save()
    with refused(CLASS):
        enact_article_version(
            proposal=proposal,
            slug="legal-form",
            title="Legal form",
            article_class="ordinary",
            text=LEGAL_FORM["new_text"],
            parameters=None,
        )
    assert rows(BylawVersion) == before
    assert current_version("legal-form").is_entrenched


def test_an_enactment_cannot_replace_another_articles_version(voters, refused):
    """Once got through (SQLite, low: raw SQL on SQLite can also drop triggers). A passed
    amendment of `moderation` is enacted with `INSERT OR REPLACE` and the id
    of legal-form v1: the new row passes every INSERT guard, and SQLite
    deletes legal-form v1 without firing the DELETE guard — the entrenched
    article is gone. On PostgreSQL the equivalent upsert fires the UPDATE
    guard."""
    passed = held(draft(voters[0], kind="amendment", amendments=[MODERATION]), yes=voters)
    assert passed.state == "passed" and passed.enactable_at < timezone.now()
    legal_form, moderation = current_version("legal-form"), current_version("moderation")
    before = rows(BylawVersion)
    with refused(APPEND_ONLY):
        replace_row(
            "governance_bylawversion",
            {
                "id": legal_form.pk,
                "article_id": moderation.article_id,
                "number": moderation.number + 1,
                "title": MODERATION["new_title"],
                "article_class": MODERATION["new_class"],
                "text": MODERATION["new_text"],
                "parameters": None,
                "enacted_by_id": passed.pk,
                "enacted_at": db_time(timezone.now()),
            },
        )
    assert rows(BylawVersion) == before


def test_a_new_article_needs_an_enacted_amendment(community, refused):
    legal_form = BylawArticle.objects.get(slug="legal-form")
    before = rows(BylawArticle)
    with refused("a new article is created only by enacting a passed amendment"):
        BylawArticle.objects.create(slug="founder-powers", position=1)
    with refused("a new article is created only by enacting a passed amendment"):
        BylawArticle.objects.bulk_create([BylawArticle(slug="founder-powers", position=1)])
    with refused("bylaw articles cannot be changed or deleted"):
        BylawArticle.objects.filter(pk=legal_form.pk).update(slug="old-legal-form")
    with refused("bylaw articles cannot be changed or deleted"):
        raw("DELETE FROM governance_bylawarticle WHERE id = %s", [legal_form.pk])
    assert rows(BylawArticle) == before


def test_a_passed_amendment_enacts_each_article_once(voters, refused):
    """Once got through (both databases). The enactment guard compares *counts*: as many
    versions citing the proposal as it has amendments. A proposal amending
    `moderation` and `dues` can write `moderation` twice and never `dues`, and
    still be marked enacted: a package the community voted as a whole is
    enacted in part (and a passed amendment left unenacted can be written
    again later, over a newer decision)."""
    proposal = held(draft(voters[0], kind="amendment", amendments=[MODERATION, DUES]), yes=voters)
    assert proposal.state == "passed" and proposal.enactable_at < timezone.now()
    before, dues = rows(BylawVersion), current_version("dues")

    def write(amendment):
        enact_article_version(
            proposal=proposal,
            slug=amendment["article_slug"],
            title=amendment["new_title"],
            article_class=amendment["new_class"],
            text=amendment["new_text"],
            parameters=None,
        )

    with refused("bylaw guard"):
        write(MODERATION)
        write(MODERATION)
        Proposal.objects.filter(pk=proposal.pk).update(state="enacted", enacted_at=timezone.now())
    assert rows(BylawVersion) == before
    assert current_version("dues") == dues


# --- the journal and the chain heads --------------------------------------------------------------


def _next_entry(**overrides) -> dict:
    head = ChainHead.objects.get(name="governance")
    values = {
        "prev": head.hash,
        "seq": head.seq + 1,
        "at": journal.chain_timestamp(),
        "kind": "proposal.enacted",
        "actor": "",
        "payload": {"proposal": 1, "versions": ["legal-form@2"]},
    }
    values.update(overrides)
    return chain.make_entry(**values)


def test_the_journal_is_append_only(community, refused):
    entries = rows(JournalEntry)
    genesis = JournalEntry.objects.get(seq=1)
    with refused(JOURNAL_APPEND_ONLY):
        JournalEntry.objects.filter(seq=1).update(payload={"community": "Evil Corp"})
    genesis.kind = "nothing"
    with refused(JOURNAL_APPEND_ONLY):
        genesis.save()
    with refused(JOURNAL_APPEND_ONLY):
        JournalEntry.objects.bulk_update([genesis], ["kind"])
    with refused(JOURNAL_APPEND_ONLY):
        JournalEntry.objects.all().delete()
    with refused(JOURNAL_APPEND_ONLY):
        raw("UPDATE governance_journalentry SET actor = 'nobody'")
    assert rows(JournalEntry) == entries


def test_a_journal_entry_follows_its_head_and_is_written_now(community, refused):
    head = ChainHead.objects.get(name="governance")
    entries = rows(JournalEntry)
    follows = "chain guard: an entry of the governance chain follows its head"
    with refused(follows):  # a gap
        JournalEntry.objects.create(**_next_entry(seq=head.seq + 2))
    with refused(follows):  # a fork: not chained to the head
        JournalEntry.objects.create(**_next_entry(prev="f" * 64))
    with refused(follows):  # an entry slipped in before the head
        JournalEntry.objects.create(**_next_entry(seq=1, prev=chain.GENESIS_PREV))
    with refused("chain guard: an entry of the governance chain is written now"):
        old = (timezone.now() - 30 * DAY).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        JournalEntry.objects.create(**_next_entry(at=old))
    assert rows(JournalEntry) == entries


def test_the_chain_head_never_moves_back(community, refused):
    journal.record(kind="test.entry", actor="", payload={"n": 1})
    heads = rows(ChainHead)
    head = ChainHead.objects.get(name="governance")
    previous = JournalEntry.objects.get(seq=head.seq - 1)
    moves = "chain guard: a chain head moves forward by one entry, to the entry just written"
    with refused(moves):  # back one entry
        ChainHead.objects.filter(name="governance").update(seq=previous.seq, hash=previous.hash)
    with refused(moves):  # back one entry and cut it
        ChainHead.objects.filter(name="governance").update(seq=previous.seq, hash=previous.hash)
        JournalEntry.objects.filter(seq=head.seq).delete()
    with refused(moves):  # forward, to an entry never written
        ChainHead.objects.filter(name="governance").update(seq=head.seq + 1, hash="e" * 64)
    with refused(moves):  # the same seq, another hash
        ChainHead.objects.filter(name="governance").update(hash="e" * 64)
    with refused(moves):  # the ledger's head, moved back to the start
        ChainHead.objects.filter(name="ledger").update(seq=0, hash=chain.GENESIS_PREV)
        ChainHead.objects.filter(name="governance").update(seq=0, hash=chain.GENESIS_PREV)
    with refused("chain guard: a chain head is never removed"):
        ChainHead.objects.filter(name="governance").delete()
    with refused("chain guard: a chain starts empty"):
        raw("DELETE FROM governance_chainhead WHERE name = 'nothing'")
        raw(
            "INSERT INTO governance_chainhead (name, seq, hash) VALUES ('governance2', 5, %s)",
            [head.hash],
        )
    assert rows(ChainHead) == heads
