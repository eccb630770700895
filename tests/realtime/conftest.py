import pytest

from tests.factories import make_member
from tests.realtime.helpers import make_proposal


@pytest.fixture
def proposal(community):
    return make_proposal(community["alice"])


@pytest.fixture
def outsider(db):
    """Someone with an account whose application has not been accepted."""
    return make_member("olga", status="applicant")


@pytest.fixture
def second_steward(community):
    from members.services import grant_role

    dan = make_member("dan")
    grant_role(member=dan, role="steward", actor=None, reason="second steward for reviews")
    return dan
