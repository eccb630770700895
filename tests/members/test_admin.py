"""The admin shows accounts, standing and roles but cannot change power."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from members.models import Member, Membership, RoleAssignment
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, community):
    root = Member.objects.create_superuser("root", "root@example.org", "root-password-long")
    client.force_login(root)
    return client


def test_superuser_cannot_make_a_member_superuser_or_give_groups(admin_client, community):
    bob = community["bob"]
    steward = Group.objects.create(name="steward")  # groups carry no power; still not editable

    response = admin_client.post(
        reverse("admin:members_member_change", args=[bob.pk]),
        {
            "display_name": "Bob B.",
            "bio": "",
            "is_superuser": "on",
            "is_staff": "on",
            "groups": [steward.pk],
            "username": "bob-renamed",
            "membership-TOTAL_FORMS": "1",
            "membership-INITIAL_FORMS": "1",
            "membership-MIN_NUM_FORMS": "0",
            "membership-MAX_NUM_FORMS": "0",
        },
    )

    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.display_name == "Bob B."  # the profile is editable...
    assert (bob.username, bob.is_superuser, bob.is_staff) == ("bob", False, False)
    assert not bob.groups.filter(name="steward").exists()  # ...power is not


def test_admin_cannot_change_membership_or_roles(admin_client, community):
    membership = Membership.objects.get(member=community["bob"])
    assignment = RoleAssignment.objects.get(member=community["bob"])

    change_membership = admin_client.post(
        reverse("admin:members_membership_change", args=[membership.pk]),
        {"status": "suspended"},
    )
    change_role = admin_client.post(
        reverse("admin:members_roleassignment_change", args=[assignment.pk]),
        {"role": "steward"},
    )
    add_role = admin_client.post(
        reverse("admin:members_roleassignment_add"),
        {"member": community["alice"].pk, "role": "treasurer", "grant_reason": "x"},
    )

    assert change_membership.status_code == 403
    assert change_role.status_code == 403
    assert add_role.status_code == 403
    membership.refresh_from_db()
    assert membership.status == Membership.Status.MEMBER
    assert list(
        RoleAssignment.objects.filter(member=community["alice"]).values_list("role", flat=True)
    ) == ["founder"]


def test_admin_cannot_delete_a_member_or_a_role(admin_client, community):
    assignment = RoleAssignment.objects.get(member=community["bob"])

    assert (
        admin_client.post(
            reverse("admin:members_member_delete", args=[community["bob"].pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        admin_client.post(
            reverse("admin:members_roleassignment_delete", args=[assignment.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Member.objects.filter(username="bob").exists()
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_admin_lists_members_with_their_standing(admin_client, community):
    make_member("waiting", status=Membership.Status.APPLICANT)

    response = admin_client.get(reverse("admin:members_member_changelist"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "waiting" in html
    assert "Applicant" in html
    assert admin_client.get(reverse("admin:members_roleassignment_changelist")).status_code == 200
