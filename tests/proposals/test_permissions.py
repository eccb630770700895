"""Who may see and change a proposal: one rule, the same in every place it
is asked (the list, the page, the API, the debate)."""

import pytest
from django.urls import reverse

from proposals import selectors, services
from proposals.permissions import can_view, is_author
from tests.factories import make_member
from tests.proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(community):
    alice = community["alice"]
    draft = ProposalFactory(author=alice, title="A private draft")
    coauthor = make_member("cora")
    services.invite_coauthor(proposal_id=draft.pk, actor=alice, coauthor=coauthor)
    root = make_member("root", is_superuser=True, is_staff=True)
    return {
        "draft": draft,
        "alice": alice,
        "cora": coauthor,
        "bob": community["bob"],
        "root": root,
        "carol": community["carol"],
    }


def test_a_draft_is_seen_by_its_author_and_invited_coauthors_only(people):
    draft = people["draft"]
    seen = {name: can_view(person, draft) for name, person in people.items() if name != "draft"}
    assert seen == {"alice": True, "cora": True, "bob": False, "root": False, "carol": False}


def test_the_list_and_the_page_agree_on_who_sees_a_draft(people, client):
    """Once disagreed: the list hid drafts from co-authors while the page showed them."""
    draft = people["draft"]
    for name in ("alice", "cora", "bob", "root"):
        person = people[name]
        listed = draft in selectors.proposal_list(viewer=person)
        client.force_login(person)
        page = client.get(reverse("proposals:detail", args=[draft.pk]))
        api = client.get(f"/api/v1/proposals/{draft.pk}/")
        assert listed == can_view(person, draft), name
        assert (page.status_code == 200) == can_view(person, draft), name
        assert (api.status_code == 200) == can_view(person, draft), name


def test_a_suspended_coauthor_loses_the_draft_everywhere(people):
    from members import services as members

    draft, cora = people["draft"], people["cora"]
    members.suspend_member(member=cora, actor=people["carol"], reason="Test of standing")
    assert not is_author(cora, draft)
    assert not can_view(cora, draft)
    assert draft not in selectors.proposal_list(viewer=cora)


def test_a_superuser_gains_nothing_on_proposals(people):
    draft, root = people["draft"], people["root"]
    assert not is_author(root, draft)
    assert root.has_perm("proposals.change_proposal")  # Django's shortcut says yes…
    assert not can_view(root, draft)  # …the community's rule says no
