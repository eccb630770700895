"""Object-scoped roles through django-guardian: only explicit grants count."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from members.models import Member, Membership
from members.permissions import has_object_role
from members.services import suspend_member
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_member_granted_a_permission_on_one_object_holds_it_there_only(community):
    alice, bob, carol = community["alice"], community["bob"], community["carol"]
    assign_perm("members.change_member", alice, bob)

    assert has_object_role(alice, "members.change_member", bob)
    assert not has_object_role(alice, "members.change_member", carol)
    assert not has_object_role(carol, "members.change_member", bob)


def test_a_grant_to_a_group_gives_its_members_no_object_role(community):
    """Groups carry no power in Commons: only a grant to the person counts."""
    editors = Group.objects.create(name="profile-editors")
    editors.user_set.add(community["ada"])
    assign_perm("members.change_member", editors, community["bob"])

    assert not has_object_role(community["ada"], "members.change_member", community["bob"])
    assign_perm("members.change_member", community["ada"], community["bob"])
    assert has_object_role(community["ada"], "members.change_member", community["bob"])


def test_superuser_has_no_object_role_without_a_grant(community):
    root = make_member("root", is_staff=True, is_superuser=True)
    assert root.is_superuser and root.membership.status == Membership.Status.MEMBER

    assert root.has_perm("members.change_member", community["bob"])  # Django's shortcut...
    assert not has_object_role(root, "members.change_member", community["bob"])  # ...is not a role


def test_a_suspended_member_loses_object_roles(community):
    alice, bob = community["alice"], community["bob"]
    assign_perm("members.change_member", alice, bob)

    suspend_member(member=alice, actor=community["carol"], reason="Spam")

    assert not has_object_role(alice, "members.change_member", bob)


def test_a_permission_of_another_app_does_not_match(community):
    alice, bob = community["alice"], community["bob"]
    assign_perm("members.change_member", alice, bob)

    assert not has_object_role(alice, "proposals.change_member", bob)


def test_anonymous_visitors_hold_no_object_role(community):
    from django.contrib.auth.models import AnonymousUser

    assert not has_object_role(AnonymousUser(), "members.change_member", community["bob"])
    assert not has_object_role(None, "members.change_member", community["bob"])


def test_model_wide_permission_is_not_an_object_role(community):
    from django.contrib.auth.models import Permission

    mira = make_member("mira")
    mira.user_permissions.add(Permission.objects.get(codename="change_member"))
    mira = Member.objects.get(pk=mira.pk)

    assert mira.has_perm("members.change_member")
    assert not has_object_role(mira, "members.change_member", community["bob"])
