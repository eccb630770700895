"""No superuser shortcut on governance objects.

A superuser runs the server; the bylaws give them nothing. Through the admin,
the services and the API they can neither act for members (no API token made
for someone else), nor edit or withdraw a proposal they did not write, nor
make anyone a co-author; Django groups and model-wide permissions give no
power either."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import NoReverseMatch, reverse
from guardian.shortcuts import assign_perm
from rest_framework.authtoken.models import Token, TokenProxy
from rest_framework.test import APIClient

from members.errors import NotSteward
from members.models import Member
from members.services import suspend_member
from proposals import services
from proposals.errors import NotAnAuthor
from proposals.models import Proposal
from tests.factories import make_member
from tests.guards.helpers import rows
from tests.proposals.helpers import amend, draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(community):
    """A superuser and staff member who is not a member of the community."""
    person = Member.objects.create_superuser("root", "root@example.org", "root-password-long")
    person.user_permissions.add(*Permission.objects.filter(content_type__app_label="proposals"))
    return Member.objects.get(pk=person.pk)  # fresh permission cache


@pytest.fixture
def in_notice(community):
    """A legal-structure change of the legal form, now in its notice period."""
    voters = list(community.values())
    amend(community["alice"], voters, slug="dues", text="Dues are voluntary.")
    proposal = draft(
        community["alice"],
        kind="amendment",
        amendments=[
            {
                "article_slug": "legal-form",
                "new_title": "Legal form",
                "new_class": "entrenched",
                "new_text": "The association is a cooperative company.",
            }
        ],
    )
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from governance.selectors import current_parameters

    days = current_parameters().discussion_days
    with time_machine.travel(timezone.now() - timedelta(days=days, minutes=1), tick=False):
        services.submit_proposal(proposal_id=proposal.pk, actor=community["alice"])
    proposal = services.advance_proposal(proposal_id=proposal.pk)
    assert proposal.state == "notice"
    return proposal


def test_no_api_token_can_be_made_for_someone_else_in_the_admin(client, root):
    assert not admin.site.is_registered(TokenProxy)
    client.force_login(root)
    with pytest.raises(NoReverseMatch):
        reverse("admin:authtoken_tokenproxy_add")
    assert client.get("/admin/authtoken/tokenproxy/add/").status_code == 404
    assert "authtoken" not in client.get(reverse("admin:index")).content.decode()
    assert not Token.objects.exists()


def test_a_superuser_cannot_withdraw_a_legal_structure_change_in_notice(root, in_notice):
    before = rows(Proposal, pk=in_notice.pk)
    with pytest.raises(NotAnAuthor):
        services.withdraw_proposal(proposal_id=in_notice.pk, actor=root)
    api = APIClient()
    api.force_login(root)
    response = api.post(f"/api/v1/proposals/{in_notice.pk}/withdraw/")
    assert response.status_code == 403
    assert response.json()["code"] == "not_an_author"
    assert rows(Proposal, pk=in_notice.pk) == before


def test_a_superuser_cannot_edit_or_submit_a_draft_they_did_not_write(community, root):
    proposal = draft(community["alice"], title="Alice's idea")
    with pytest.raises(NotAnAuthor):
        services.update_proposal(
            proposal_id=proposal.pk, actor=root, title="Root's idea", body="Mine now."
        )
    with pytest.raises(NotAnAuthor):
        services.submit_proposal(proposal_id=proposal.pk, actor=root)
    assert Proposal.objects.get(pk=proposal.pk).title == "Alice's idea"


def test_assigning_the_change_permission_makes_nobody_a_co_author(
    community, in_notice, as_application
):
    """Through guardian's own shortcut, as the application: refused in notice
    (the text is frozen), and a grant the database let through earlier (in
    discussion, by a superuser who is no member) gives no power."""
    from django.db import IntegrityError

    dave = make_member("dave")
    with (
        pytest.raises(IntegrityError, match="co-authors are members in good standing"),
        as_application(),
    ):
        assign_perm("change_proposal", dave, in_notice)
    with pytest.raises(NotAnAuthor):
        services.withdraw_proposal(proposal_id=in_notice.pk, actor=dave)


def test_groups_and_model_permissions_give_no_steward_power(community):
    alice = community["alice"]
    steward = Group.objects.create(name="steward")
    alice.groups.add(steward)
    alice.user_permissions.add(*Permission.objects.all())
    alice = Member.objects.get(pk=alice.pk)
    with pytest.raises(NotSteward):
        suspend_member(member=community["bob"], actor=alice, reason="Because I can.")
    assert community["bob"].membership.status == "member"
