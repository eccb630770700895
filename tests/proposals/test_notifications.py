"""Notifications speak the reader's language, whoever's request caused them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone, translation

from governance.selectors import community_name
from kernel import dates
from members.selectors import export_member_data
from proposals import services
from proposals.models import Notification, State
from tests.proposals.helpers import MINUTE, draft

pytestmark = pytest.mark.django_db


def open_the_vote(author, *, request_language: str, capture_on_commit):
    """The author's motion reaches its vote during a request in `request_language`."""
    proposal = draft(author, title="Jardin partagé")
    with time_machine.travel(timezone.now() - timedelta(days=20), tick=False):
        services.submit_proposal(proposal_id=proposal.pk, actor=author)
    proposal.refresh_from_db()
    with (
        time_machine.travel(proposal.discussion_ends_at + MINUTE, tick=False),
        translation.override(request_language),
        capture_on_commit(execute=True),  # the emails
    ):
        services.advance_proposal(proposal_id=proposal.pk)
    proposal.refresh_from_db()
    assert proposal.state == State.VOTING
    return proposal


@pytest.fixture
def voting_opened_in_french(community, django_capture_on_commit_callbacks):
    return open_the_vote(
        community["alice"],
        request_language="fr",
        capture_on_commit=django_capture_on_commit_callbacks,
    )


def notifications_page(member, language: str) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(member)
    response = client.get("/proposals/notifications/")
    assert response.status_code == 200
    return response.content.decode()


def test_each_reader_sees_notifications_in_their_own_language(community, voting_opened_in_french):
    bob = community["bob"]
    closes = voting_opened_in_french.voting_closes_at.date()
    with translation.override("fr"):
        en_francais = dates.day(closes)
    with translation.override("en"):
        in_english = dates.day(closes)

    assert en_francais != in_english
    assert en_francais == f"{closes.day} {en_francais.split()[1]} {closes.year}"
    assert en_francais.split()[1].islower()  # « 1 décembre 2026 »
    assert f"Voting is open on “Jardin partagé” until {in_english}." in (
        notifications_page(bob, "en")
    )
    assert f"Le vote sur « Jardin partagé » est ouvert jusqu’au {en_francais}." in (
        notifications_page(bob, "fr")
    )


def test_an_author_is_told_the_new_state_in_their_language(community, voting_opened_in_french):
    alice = community["alice"]

    with translation.override("fr"):
        voting_in_french = str(State.VOTING.label)

    assert "Your proposal “Jardin partagé” is now: Voting." in notifications_page(alice, "en")
    assert voting_in_french != "Voting"
    assert (
        f"Votre proposition « Jardin partagé » est maintenant : {voting_in_french}."
        in notifications_page(alice, "fr")
    )


def test_emails_go_out_in_the_site_language_not_the_triggering_request(
    community, voting_opened_in_french
):
    subjects = [m.subject for m in mail.outbox]

    assert any("Voting is open on “Jardin partagé”" in s for s in subjects), subjects
    assert not any("Le vote sur" in s for s in subjects)


def test_personal_data_export_carries_the_notification_text(community, voting_opened_in_french):
    bob = community["bob"]
    with translation.override("en"):
        exported = export_member_data(member=bob)

    assert any(
        n["message"].startswith("Voting is open on “Jardin partagé”")
        for n in exported["notifications"]
    )


def test_notifications_written_before_kinds_existed_still_show(community):
    bob = community["bob"]
    Notification.objects.create(
        recipient=bob, message="An older notification.", created_at=timezone.now()
    )

    assert "An older notification." in notifications_page(bob, "fr")


def test_the_daily_digest_is_written_in_the_site_language(community, voting_opened_in_french):
    mail.outbox.clear()
    the_next_morning = voting_opened_in_french.voting_opens_at + timedelta(hours=10)
    with translation.override("fr"):
        sent = services.send_daily_digest(now=the_next_morning)

    assert sent >= 1
    bob_mail = next(m for m in mail.outbox if m.to == [community["bob"].email])
    assert bob_mail.body.startswith(f"Your {community_name()} digest for ")
    assert "Voting is open on “Jardin partagé”" in bob_mail.body


@override_settings(DEFAULT_FROM_EMAIL="robot@velo.example", CONTACT_EMAIL="bureau@velo.example")
def test_notifications_and_the_digest_come_from_the_community(
    community, voting_opened_in_french, django_capture_on_commit_callbacks
):
    """Like the account emails: the community's name, its contact address."""
    mail.outbox.clear()
    services.send_daily_digest(now=voting_opened_in_french.voting_opens_at + timedelta(hours=10))
    name = community_name()
    assert mail.outbox
    for message in mail.outbox:
        assert message.from_email == f"{name} <robot@velo.example>"
        assert message.subject.startswith(f"[{name}] ")
        assert message.reply_to == ["bureau@velo.example"]


def test_a_french_speaking_site_sends_its_emails_in_french(
    community, settings, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "fr"

    open_the_vote(
        community["alice"],
        request_language="en",
        capture_on_commit=django_capture_on_commit_callbacks,
    )

    subjects = [m.subject for m in mail.outbox]
    assert any("Le vote sur « Jardin partagé »" in s for s in subjects), subjects
