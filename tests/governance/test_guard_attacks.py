"""The attack suite: every way to change an entrenched article outside a
passed, enacted proposal is refused, and nothing changes.

It runs on whichever database the suite runs on (SQLite locally, PostgreSQL
in CI): the last line of defence is the database's own triggers, so the ORM
and raw SQL attacks hit them directly. Refused attempts by a logged-in person
through the admin and the API are journaled as `guard.refused`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models.deletion import ProtectedError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from governance import selectors
from governance.errors import GuardViolation, NotEnactable
from governance.models import BylawArticle, BylawVersion, JournalEntry
from kernel import chain, guards
from kernel.models import ChainHead
from proposals import services as proposal_services
from tests.factories import make_member
from tests.proposals.helpers import MINUTE, amend, draft, hold_vote, lifecycle_days

TARGET = "legal-form"  # an entrenched article of the default charter
GUARD = "bylaw guard"
CHAIN_GUARD = "chain guard: the governance chain is append-only"


def snapshot(slug: str = TARGET) -> dict:
    version = selectors.current_version(slug)
    return {
        "versions": BylawVersion.objects.filter(article__slug=slug).count(),
        "all_versions": BylawVersion.objects.count(),
        "articles": BylawArticle.objects.count(),
        "text": version.text,
        "title": version.title,
        "class": version.article_class,
    }


@pytest.fixture
def target(community):
    version = selectors.current_version(TARGET)
    assert version.is_entrenched
    return version


@pytest.fixture
def superuser(community):
    return make_member("root", is_staff=True, is_superuser=True, status="applicant")


@pytest.fixture
def founder(community):
    """alice, the founder, who also runs the server: staff, and granted every
    Django permission on the governance models — which still gives no power."""
    from django.contrib.auth.models import Permission

    alice = community["alice"]
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    alice.user_permissions.add(*Permission.objects.filter(content_type__app_label="governance"))
    return type(alice).objects.get(pk=alice.pk)  # fresh permission cache


@pytest.fixture(params=["superuser", "founder"])
def attacker(request, superuser, founder):
    return {"superuser": superuser, "founder": founder}[request.param]


def refused_entries(actor) -> list[dict]:
    return [
        e.payload
        for e in JournalEntry.objects.filter(kind="guard.refused", actor=actor.get_username())
    ]


# --- the admin ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_change_of_an_entrenched_version_is_refused_and_journaled(client, attacker, target):
    before = snapshot()
    client.force_login(attacker)
    url = reverse("admin:governance_bylawversion_change", args=[target.pk])
    assert client.get(url).status_code == 200  # visible…
    response = client.post(
        url,
        {
            "article": target.article_id,
            "number": 1,
            "title": "Legal form",
            "article_class": "ordinary",
            "text": "The association is a company.",
            "enacted_at_0": "2026-01-01",
            "enacted_at_1": "00:00:00",
        },
    )
    assert response.status_code == 403  # …never editable
    assert snapshot() == before
    [attempt] = refused_entries(attacker)
    assert attempt["path"] == "admin"
    assert attempt["target"] == f"governance.bylawversion:{target.pk}"


@pytest.mark.django_db
def test_admin_delete_of_an_entrenched_version_is_refused_and_journaled(client, attacker, target):
    before = snapshot()
    client.force_login(attacker)
    url = reverse("admin:governance_bylawversion_delete", args=[target.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 403
    assert snapshot() == before
    assert [a["path"] for a in refused_entries(attacker)] == ["admin"]


@pytest.mark.django_db
def test_admin_add_of_a_version_2_is_refused_and_journaled(client, attacker, target):
    before = snapshot()
    client.force_login(attacker)
    response = client.post(
        reverse("admin:governance_bylawversion_add"),
        {
            "article": target.article_id,
            "number": 2,
            "title": "Legal form",
            "article_class": "ordinary",
            "text": "The association is a company.",
        },
    )
    assert response.status_code == 403
    assert snapshot() == before
    assert refused_entries(attacker)[0]["target"] == "governance.bylawversion:new"


@pytest.mark.django_db
def test_admin_delete_of_an_article_is_refused(client, attacker, target):
    before = snapshot()
    client.force_login(attacker)
    url = reverse("admin:governance_bylawarticle_delete", args=[target.article_id])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert snapshot() == before


@pytest.mark.django_db
def test_admin_bulk_delete_action_does_not_exist(client, attacker, target):
    before = snapshot()
    client.force_login(attacker)
    url = reverse("admin:governance_bylawversion_changelist")
    page = client.get(url)
    assert page.status_code == 200
    assert "delete_selected" not in page.content.decode()
    response = client.post(
        url, {"action": "delete_selected", "_selected_action": [target.pk], "index": 0}
    )
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.django_db
def test_admin_journal_entries_cannot_be_changed(client, attacker, target):
    entry = JournalEntry.objects.get(seq=1)
    client.force_login(attacker)
    url = reverse("admin:governance_journalentry_change", args=[entry.seq])
    assert client.post(url, {"kind": "nothing", "payload": "{}"}).status_code == 403
    entry.refresh_from_db()
    assert entry.kind == "genesis"


@pytest.mark.django_db
def test_admin_permissions_are_off_even_for_superusers(rf, superuser):
    from django.contrib import admin

    request = rf.get("/")
    request.user = superuser
    for model in (BylawArticle, BylawVersion, JournalEntry, ChainHead):
        model_admin = admin.site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


# --- the API --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url_name", "args"),
    [
        ("put", "governance-api:bylaw", [TARGET]),
        ("patch", "governance-api:bylaw", [TARGET]),
        ("delete", "governance-api:bylaw", [TARGET]),
        ("post", "governance-api:bylaws", []),
        ("post", "governance-api:bylaw_versions", [TARGET]),
        ("delete", "governance-api:bylaw_versions", [TARGET]),
    ],
)
def test_api_writes_are_refused_and_journaled(attacker, target, method, url_name, args):
    before = snapshot()
    api = APIClient()
    api.force_login(attacker)
    body = {"title": "Legal form", "article_class": "ordinary", "text": "A company."}
    response = getattr(api, method)(reverse(url_name, args=args), body, format="json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith(
        "Bylaws change only by enactment of a passed proposal"
    )
    assert snapshot() == before
    [attempt] = refused_entries(attacker)
    assert attempt["path"] == "api"
    assert attempt["target"] == (f"bylaw:{TARGET}" if args else "bylaws")
    assert method.upper() in attempt["reason"]


@pytest.mark.django_db
def test_a_flood_of_refused_attempts_cannot_fill_the_journal(attacker, target):
    from governance.services import GUARD_ATTEMPTS_JOURNALED_PER_HOUR as LIMIT

    api = APIClient()
    api.force_login(attacker)
    url = reverse("governance-api:bylaw", args=[TARGET])
    for _ in range(LIMIT + 5):
        assert api.delete(url).status_code == 403
    attempts = refused_entries(attacker)
    assert len(attempts) == LIMIT
    assert attempts[-1]["further_attempts_this_hour"] == "not journaled"
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        assert api.delete(url).status_code == 403
    assert len(refused_entries(attacker)) == LIMIT + 1


@pytest.mark.django_db
def test_refused_attempts_keep_the_chain_valid(client, founder, target):
    client.force_login(founder)
    client.post(reverse("admin:governance_bylawversion_delete", args=[target.pk]), {"post": "yes"})
    call_command("verify_journal")  # raises if the chain broke


# --- services without a passed proposal -----------------------------------------------------


def amendment_of_target(text="The association is a company with shareholders."):
    return {
        "article_slug": TARGET,
        "new_title": "Legal form",
        "new_class": "entrenched",
        "new_text": text,
    }


@pytest.mark.django_db
def test_enacting_a_draft_is_refused(founder, target):
    before = snapshot()
    proposal = draft(founder, kind="amendment", amendments=[amendment_of_target()])
    with pytest.raises(NotEnactable):
        proposal_services.enact_proposal(proposal_id=proposal.pk)
    assert snapshot() == before


@pytest.mark.django_db
def test_enacting_a_proposal_in_discussion_is_refused(founder, target):
    before = snapshot()
    proposal = draft(founder, kind="amendment", amendments=[amendment_of_target()])
    proposal_services.submit_proposal(proposal_id=proposal.pk, actor=founder)
    with pytest.raises(NotEnactable):
        proposal_services.enact_proposal(proposal_id=proposal.pk)
    assert snapshot() == before


@pytest.mark.django_db
def test_enacting_a_rejected_proposal_is_refused(community, founder, target):
    before = snapshot()
    proposal = draft(founder, kind="amendment", amendments=[amendment_of_target()])
    proposal = hold_vote(
        proposal, yes=[community["alice"]], no=[community["bob"], community["carol"]]
    )
    assert proposal.state == "rejected"
    with pytest.raises(NotEnactable):
        proposal_services.enact_proposal(proposal_id=proposal.pk)
    assert snapshot() == before


@pytest.mark.django_db
def test_an_ordinary_decision_cannot_enact_a_change_to_an_article_that_became_entrenched(
    community,
):
    """An ordinary amendment of `moderation` is submitted while it is ordinary;
    meanwhile a legal-structure vote entrenches the article. The ordinary
    decision then no longer suffices, whatever its votes."""
    voters = [community[name] for name in ("alice", "bob", "carol", "ada")]
    ordinary = draft(
        community["alice"],
        kind="amendment",
        amendments=[
            {
                "article_slug": "moderation",
                "new_title": "Moderation",
                "new_class": "ordinary",
                "new_text": "Stewards may delete any message without a reason.",
            }
        ],
    )
    start = timezone.now() - timedelta(days=lifecycle_days(False) + 2)
    with time_machine.travel(start, tick=False):
        proposal_services.submit_proposal(proposal_id=ordinary.pk, actor=community["alice"])
    ordinary.refresh_from_db()
    assert ordinary.decision_class == "ordinary"

    entrenching = amend(
        community["bob"],
        voters,
        slug="moderation",
        text=selectors.current_version("moderation").text,
        new_class="entrenched",
    )
    assert entrenching.state == "enacted"
    before = snapshot("moderation")
    assert before["class"] == "entrenched"

    with time_machine.travel(ordinary.voting_opens_at + MINUTE, tick=False):
        proposal_services.advance_proposal(proposal_id=ordinary.pk)
        for voter in voters:
            proposal_services.cast_vote(proposal_id=ordinary.pk, voter=voter, choice="yes")
    with time_machine.travel(ordinary.voting_closes_at + MINUTE, tick=False):
        proposal_services.advance_proposal(proposal_id=ordinary.pk)
    ordinary.refresh_from_db()
    assert ordinary.state == "passed"
    with pytest.raises(GuardViolation, match="legal-structure decision"):
        proposal_services.enact_proposal(proposal_id=ordinary.pk)
    assert snapshot("moderation") == before


# --- the ORM --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_orm_save_of_a_changed_version_is_rejected_by_the_database(target):
    before = snapshot()
    target.text = "The association is a company."
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        target.save()
    assert snapshot() == before


@pytest.mark.django_db
def test_orm_update_is_rejected_by_the_database(target):
    before = snapshot()
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        BylawVersion.objects.filter(pk=target.pk).update(article_class="ordinary")
    assert snapshot() == before


@pytest.mark.django_db
def test_orm_bulk_update_is_rejected_by_the_database(target):
    before = snapshot()
    target.text = "The association is a company."
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        BylawVersion.objects.bulk_update([target], ["text"])
    assert snapshot() == before


@pytest.mark.django_db
def test_orm_delete_of_a_version_is_rejected_by_the_database(target):
    before = snapshot()
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        target.delete()
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        BylawVersion.objects.filter(article__slug=TARGET).delete()
    assert snapshot() == before


@pytest.mark.django_db
def test_orm_delete_of_an_article_is_refused(target):
    before = snapshot()
    with pytest.raises(ProtectedError), transaction.atomic():
        BylawArticle.objects.filter(slug=TARGET).delete()
    assert snapshot() == before


def _version_2(target, **fields):
    values = {
        "article": target.article,
        "number": 2,
        "title": "Legal form",
        "article_class": "ordinary",
        "text": "The association is a company.",
        "enacted_at": timezone.now(),
    }
    values.update(fields)
    return BylawVersion(**values)


@pytest.mark.django_db
def test_orm_create_of_a_version_2_without_a_proposal_is_rejected(target):
    before = snapshot()
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        _version_2(target).save()
    assert snapshot() == before


@pytest.mark.django_db
def test_orm_bulk_create_of_a_version_2_without_a_proposal_is_rejected(target):
    before = snapshot()
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        BylawVersion.objects.bulk_create([_version_2(target)])
    assert snapshot() == before


@pytest.mark.django_db
def test_orm_create_of_a_second_version_1_after_founding_is_rejected(community):
    # The new article itself is refused…
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        BylawArticle.objects.create(slug="new-article", position=99)
    assert not BylawArticle.objects.filter(slug="new-article").exists()
    # …and were it slipped in by the database owner, its version 1 still is.
    with triggers_removed():
        article = BylawArticle.objects.create(slug="new-article", position=99)
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        BylawVersion.objects.create(
            article=article,
            number=1,
            title="Slipped in",
            article_class="ordinary",
            text="Added without a vote.",
            enacted_at=timezone.now(),
        )
    assert not BylawVersion.objects.filter(article=article).exists()


@pytest.mark.django_db
def test_orm_version_citing_a_draft_proposal_is_rejected(founder, target):
    before = snapshot()
    proposal = draft(founder, kind="amendment", amendments=[amendment_of_target()])
    version = _version_2(
        target,
        article_class="entrenched",
        text=amendment_of_target()["new_text"],
        enacted_by=proposal,
    )
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        version.save()
    assert snapshot() == before


# --- raw SQL --------------------------------------------------------------------------------


def _raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_raw_sql_update_of_a_version_is_rejected(target):
    before = snapshot()
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        _raw(
            "UPDATE governance_bylawversion SET text = %s, article_class = %s WHERE id = %s",
            ["The association is a company.", "ordinary", target.pk],
        )
    assert snapshot() == before


@pytest.mark.django_db
def test_raw_sql_delete_of_versions_and_articles_is_rejected(target):
    before = snapshot()
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        _raw("DELETE FROM governance_bylawversion WHERE id = %s", [target.pk])
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        _raw("UPDATE governance_bylawarticle SET slug = %s WHERE id = %s", ["x", target.article_id])
    assert snapshot() == before


@pytest.mark.django_db
def test_raw_sql_insert_of_a_version_2_is_rejected(target):
    before = snapshot()
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        _raw(
            "INSERT INTO governance_bylawversion "
            "(article_id, number, title, article_class, text, parameters, enacted_by_id, "
            "enacted_at) VALUES (%s, 2, %s, %s, %s, NULL, NULL, %s)",
            [target.article_id, "Legal form", "ordinary", "A company.", timezone.now()],
        )
    assert snapshot() == before


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
        _raw("UPDATE governance_journalentry SET kind = %s WHERE seq = 1", ["nothing"])
    with pytest.raises(IntegrityError, match=CHAIN_GUARD), transaction.atomic():
        _raw("DELETE FROM governance_journalentry WHERE seq > 0")
    assert JournalEntry.objects.count() == count
    assert JournalEntry.objects.get(seq=1).payload == genesis.payload


# --- tamper detection: a database owner disables the triggers -------------------------------


class triggers_removed:
    """What a database owner can do: drop the guard. Reinstalled afterwards."""

    def __enter__(self):
        guards.uninstall(connection)

    def __exit__(self, *exc):
        guards.install(connection)


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
