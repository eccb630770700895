import pytest

from tests.debates.helpers import make_proposal
from tests.factories import make_member


@pytest.fixture
def proposal(community):
    return make_proposal(community["alice"])


@pytest.fixture
def outsider(db):
    """Someone with an account whose application has not been accepted."""
    return make_member("olga", status="applicant")


@pytest.fixture
def second_steward(community):
    """Dan, appointed steward by an enacted appointment proposal."""
    from members.selectors import has_role
    from tests.proposals.helpers import pass_proposal

    dan = make_member("dan")
    appointment = pass_proposal(
        community["alice"],
        list(community.values()),
        kind="appointment",
        title="Appoint a second steward for reviews",
        appointments=[{"member": "dan", "role": "steward", "action": "grant"}],
    )
    assert appointment.state == "enacted"
    assert has_role(dan, "steward")
    return dan
