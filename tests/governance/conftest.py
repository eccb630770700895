"""Fixtures of the governance tests: the entrenched article attacked, and
the people who attack it (a superuser, and the founder who runs the server)."""

from __future__ import annotations

import pytest

from governance import selectors
from tests.factories import make_member
from tests.governance.helpers import TARGET


@pytest.fixture
def target(community):
    version = selectors.current_version(TARGET)
    assert version.is_entrenched
    return version


@pytest.fixture
def superuser(community):
    return make_member("root", is_staff=True, is_superuser=True, status="applicant")


@pytest.fixture
def founder(community):
    """alice, the founder, who also runs the server: staff, and granted every
    Django permission on the governance models — which still gives no power."""
    from django.contrib.auth.models import Permission

    alice = community["alice"]
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    alice.user_permissions.add(*Permission.objects.filter(content_type__app_label="governance"))
    return type(alice).objects.get(pk=alice.pk)  # fresh permission cache


@pytest.fixture(params=["superuser", "founder"])
def attacker(request, superuser, founder):
    return {"superuser": superuser, "founder": founder}[request.param]
