"""Members with a matching skill are told in the daily digest too, unless
they opted out (`proposals.services.notifications` asks each registered
section)."""

from __future__ import annotations

import pytest
from django.core import mail

from contributions import services
from proposals.services import send_daily_digest
from tests.contributions.factories import NeedFactory

pytestmark = pytest.mark.django_db


def digest_of(member) -> str:
    mail.outbox.clear()
    send_daily_digest()
    [message] = [m for m in mail.outbox if m.to == [member.email]]
    return message.body


def test_a_matching_need_is_in_the_digest(people):
    services.update_profile(actor=people["dave"], skills=["Childcare"])
    need = NeedFactory(posted_by=people["alice"], title="Crèche volunteers", skills=["childcare"])
    body = digest_of(people["dave"])
    assert "A need matches your skills: “Crèche volunteers”" in body
    assert f"/contributions/needs/{need.pk}/" in body
    assert "Crèche volunteers" not in digest_of(people["erin"])


def test_no_matching_needs_in_the_digest_after_opting_out(people):
    services.update_profile(actor=people["dave"], skills=["Childcare"])
    NeedFactory(posted_by=people["alice"], title="Crèche volunteers", skills=["childcare"])
    services.update_profile(actor=people["dave"], notify_matching_needs=False)
    assert "Crèche volunteers" not in digest_of(people["dave"])
