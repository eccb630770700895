"""Publishing: an event is stored in the transaction that made the change and
broadcast only once it commits; a rolled-back change broadcasts nothing."""

import json

import pytest
from django.db import transaction

from realtime import events
from realtime.models import StreamEvent
from realtime.selectors import last_seq
from tests.realtime.helpers import captured_broadcasts

pytestmark = pytest.mark.django_db

KEY = events.stream_key("test", 7)


class Refused(Exception):
    pass


def test_a_committed_event_is_stored_numbered_and_broadcast_once(
    django_capture_on_commit_callbacks,
):
    with captured_broadcasts(KEY) as broadcasts:
        with django_capture_on_commit_callbacks(execute=True):
            events.publish(KEY, type="test.said", data={"text": "hello"})
            assert broadcasts.frames() == []  # nothing before the commit
        delivered = broadcasts.frames()
    assert [m["seq"] for m in delivered] == [1]
    assert json.loads(delivered[0]["text"]) == {
        "type": "test.said",
        "seq": 1,
        "at": StreamEvent.objects.get().created_at.isoformat(),
        "data": {"text": "hello"},
    }
    assert last_seq(KEY) == 1


def test_a_rolled_back_change_stores_and_broadcasts_nothing(django_capture_on_commit_callbacks):
    with captured_broadcasts(KEY) as broadcasts:
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(Refused),
            transaction.atomic(),
        ):
            events.publish(KEY, type="test.said", data={"text": "never"})
            raise Refused
        assert broadcasts.frames() == []
    assert not StreamEvent.objects.exists()
    assert last_seq(KEY) == 0


def test_a_rolled_back_service_broadcasts_nothing(community, django_capture_on_commit_callbacks):
    """A debate post whose transaction rolls back after the service ran (here:
    the caller's own later failure) leaves no message, no event, no broadcast."""
    from debates import services
    from debates.models import Argument
    from proposals.broadcasts import stream_of
    from tests.debates.helpers import make_proposal

    proposal = make_proposal(community["alice"])
    key = stream_of(proposal.pk)
    before = last_seq(key)
    with captured_broadcasts(key) as broadcasts:
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(Refused),
            transaction.atomic(),
        ):
            services.post_argument(
                actor=community["bob"], proposal_id=proposal.pk, body="Yes!", stance="pro"
            )
            raise Refused
        assert broadcasts.frames() == []
    assert not Argument.objects.exists()
    assert last_seq(key) == before


def test_stream_keys_are_built_from_server_values_only():
    assert events.stream_key("proposal", 42) == "proposal.42"
    for bad in (("proposal", "4 2"), ("Proposal", 1), ("proposal", "../x"), ("x" * 101,)):
        with pytest.raises(ValueError):
            events.stream_key(*bad)
