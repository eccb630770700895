"""A refused action gets its reason, never a server error: one way for every
page (kernel.views)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def test_a_refused_action_goes_back_to_the_page_with_its_reason(community, client):
    proposal = ProposalFactory(author=community["alice"], phase="discussion")
    page = reverse("proposals:detail", args=[proposal.pk])
    client.force_login(community["alice"])
    answer = client.post(reverse("proposals:submit", args=[proposal.pk]), HTTP_REFERER=page)
    assert answer.status_code == 302
    assert answer.url == page
    assert [str(m) for m in get_messages(answer.wsgi_request)] == [
        "Only a draft can be submitted; this proposal is already open."
    ]


def test_a_refused_action_never_leaves_the_site(community, client):
    proposal = ProposalFactory(author=community["alice"], phase="discussion")
    client.force_login(community["alice"])
    answer = client.post(
        reverse("proposals:submit", args=[proposal.pk]), HTTP_REFERER="https://evil.example/"
    )
    assert answer.status_code == 302
    assert answer.url == "/"


def test_someone_who_may_not_act_gets_the_not_allowed_page(community, client):
    proposal = ProposalFactory(author=community["alice"], phase="discussion")
    client.force_login(community["bob"])
    answer = client.post(reverse("proposals:withdraw", args=[proposal.pk]))
    assert answer.status_code == 403
    assert "Only the authors of a proposal can withdraw it." in answer.content.decode()


def test_a_refused_page_shows_the_reason_with_its_status(community, client):
    proposal = ProposalFactory(author=community["alice"], phase="voting")
    client.force_login(community["alice"])
    answer = client.get(reverse("proposals:edit", args=[proposal.pk]))
    assert answer.status_code == 409
    assert "The text is frozen" in answer.content.decode()


def test_a_refused_form_keeps_what_was_typed(community, client):
    client.force_login(community["alice"])
    answer = client.post(
        reverse("proposals:create", args=["appointment"]),
        {
            "title": "Appoint Zed",
            "body": "Zed would be a good steward.",
            "member": "zed",
            "role": "steward",
            "action": "grant",
        },
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "There is no member called zed." in html
    assert "Zed would be a good steward." in html
