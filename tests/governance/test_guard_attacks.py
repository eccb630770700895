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
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from governance import selectors
from governance.errors import GuardViolation, NotEnactable
from governance.models import BylawArticle, BylawVersion, JournalEntry
from kernel.models import ChainHead
from proposals import services as proposal_services
from tests.governance.helpers import TARGET, raw, refused_entries, snapshot, triggers_removed
from tests.proposals.helpers import MINUTE, amend, draft, hold_vote, lifecycle_days

GUARD = "bylaw guard"
CHAIN_GUARD = "chain guard: the governance chain is append-only"


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


@pytest.mark.django_db
def test_raw_sql_update_of_a_version_is_rejected(target):
    before = snapshot()
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        raw(
            "UPDATE governance_bylawversion SET text = %s, article_class = %s WHERE id = %s",
            ["The association is a company.", "ordinary", target.pk],
        )
    assert snapshot() == before


@pytest.mark.django_db
def test_raw_sql_delete_of_versions_and_articles_is_rejected(target):
    before = snapshot()
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        raw("DELETE FROM governance_bylawversion WHERE id = %s", [target.pk])
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        raw("UPDATE governance_bylawarticle SET slug = %s WHERE id = %s", ["x", target.article_id])
    assert snapshot() == before


@pytest.mark.django_db
def test_raw_sql_insert_of_a_version_2_is_rejected(target):
    before = snapshot()
    with pytest.raises(IntegrityError, match=GUARD), transaction.atomic():
        raw(
            "INSERT INTO governance_bylawversion "
            "(article_id, number, title, article_class, text, parameters, enacted_by_id, "
            "enacted_at) VALUES (%s, 2, %s, %s, %s, NULL, NULL, %s)",
            [target.article_id, "Legal form", "ordinary", "A company.", timezone.now()],
        )
    assert snapshot() == before
