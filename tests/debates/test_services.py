from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from debates import services
from debates.errors import (
    ArgumentHidden,
    DebateClosed,
    DebateNotFound,
    MessageInvalid,
    MessageTooLong,
    ModerationConflict,
    NotAMember,
    NotAuthor,
    NotSteward,
    PostingTooFast,
)
from debates.models import Argument, ArgumentRevision, ModerationAction
from governance.models import JournalEntry
from proposals import broadcasts
from proposals.broadcasts import stream_of
from realtime.models import StreamEvent
from realtime.selectors import last_seq
from tests.debates.helpers import cast_ballots, make_proposal
from tests.factories import make_member
from tests.proposals.helpers import change_rules, draft, hold_vote, voting_now

pytestmark = pytest.mark.django_db


def post(actor, proposal, body="Trees give shade and fruit.", stance="pro", **kwargs):
    return services.post_argument(
        actor=actor, proposal_id=proposal.pk, body=body, stance=stance, **kwargs
    )


def last_state_event(proposal):
    return StreamEvent.objects.filter(
        stream__key=stream_of(proposal.pk), type="proposal.state"
    ).latest("seq")


def events_of(proposal):
    return list(
        StreamEvent.objects.filter(stream__key=stream_of(proposal.pk))
        .order_by("seq")
        .values_list("seq", "type")
    )


def test_member_posts_an_argument_stored_with_rendered_markdown(community, proposal):
    argument = post(community["bob"], proposal, body="**Shade** for everyone")
    assert argument.stance == "pro"
    assert argument.body_html == "<p><strong>Shade</strong> for everyone</p>"
    assert events_of(proposal) == [(1, "proposal.state"), (2, "debate.argument_posted")]
    event = StreamEvent.objects.get(
        stream__key=stream_of(proposal.pk), type="debate.argument_posted"
    )
    assert event.payload["id"] == argument.pk
    assert event.payload["author"] == "bob"


def test_events_are_numbered_without_gaps_per_debate(community, proposal):
    assert events_of(proposal) == [(1, "proposal.state")]  # its submission
    other = services.post_argument(
        actor=community["bob"], proposal_id=proposal.pk, body="first", stance="question"
    )
    post(community["carol"], proposal, body="second", stance="contra")
    post(community["ada"], proposal, body="a reply", parent_id=other.pk)
    assert [seq for seq, _type in events_of(proposal)] == [1, 2, 3, 4]
    assert last_seq(stream_of(proposal.pk)) == 4


def test_non_member_cannot_post(outsider, proposal):
    with pytest.raises(NotAMember):
        post(outsider, proposal)
    assert not Argument.objects.exists()
    assert events_of(proposal) == [(1, "proposal.state")]  # nothing after its submission


def test_anonymous_visitor_cannot_post(proposal):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAMember):
        post(AnonymousUser(), proposal)


def test_unknown_proposal_is_not_found(community):
    with pytest.raises(DebateNotFound):
        services.post_argument(actor=community["bob"], proposal_id=999999, body="x", stance="pro")


def test_top_level_argument_needs_a_stance(community, proposal):
    with pytest.raises(MessageInvalid):
        post(community["bob"], proposal, stance="maybe")


def test_empty_message_is_refused(community, proposal):
    with pytest.raises(MessageInvalid):
        post(community["bob"], proposal, body="   \n ")


def test_message_over_ten_kilobytes_is_refused(community, proposal):
    post(community["bob"], proposal, body="é" * 5120)  # exactly 10 KB in UTF-8
    with pytest.raises(MessageTooLong):
        post(community["bob"], proposal, body="é" * 5121)
    assert Argument.objects.count() == 1


def test_reply_to_a_reply_joins_the_same_thread(community, proposal):
    root = post(community["bob"], proposal)
    reply = post(community["carol"], proposal, body="Which trees?", parent_id=root.pk)
    second = post(community["ada"], proposal, body="Apples.", parent_id=reply.pk)
    assert reply.stance == second.stance == "reply"
    assert second.parent_id == root.pk


def test_reply_to_a_message_of_another_debate_is_refused(community, proposal):
    from tests.debates.helpers import make_proposal

    elsewhere = post(community["bob"], make_proposal(community["bob"], title="Other"))
    with pytest.raises(DebateNotFound):
        post(community["carol"], proposal, parent_id=elsewhere.pk)


@pytest.mark.parametrize("state", ["withdrawn", "rejected", "enacted"])
def test_posting_closes_when_the_proposal_is_decided_or_withdrawn(community, state):
    from proposals.services import withdraw_proposal

    alice, voters = community["alice"], list(community.values())
    if state == "withdrawn":
        closed = make_proposal(alice)
        post(community["bob"], closed, body="Posted while it was open.")
        closed = withdraw_proposal(proposal_id=closed.pk, actor=alice)
    elif state == "rejected":
        closed = hold_vote(draft(alice, title="Pave the courtyard"), no=voters)
    else:
        closed = hold_vote(draft(alice, title="Plant a hedge"), yes=voters)
    assert closed.state == state
    with pytest.raises(DebateClosed):
        post(community["bob"], closed)


def test_posting_rate_follows_the_bylaw_parameter(community, proposal):
    bob = community["bob"]
    with time_machine.travel(timezone.now(), tick=False):
        for number in range(10):
            post(bob, proposal, body=f"point {number}")
        with pytest.raises(PostingTooFast) as refused:
            post(bob, proposal, body="one too many")
    assert "10" in refused.value.message
    assert Argument.objects.filter(author=bob).count() == 10
    with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=False):
        post(bob, proposal, body="a minute later")


def test_edit_keeps_every_earlier_text(community, proposal):
    argument = post(community["bob"], proposal, body="first text")
    services.edit_argument(actor=community["bob"], argument_id=argument.pk, body="second text")
    argument.refresh_from_db()
    assert argument.body == "second text"
    assert argument.edited_at is not None
    assert list(argument.revisions.values_list("number", "body")) == [
        (1, "first text"),
        (2, "second text"),
    ]
    assert events_of(proposal)[-2:] == [
        (2, "debate.argument_posted"),
        (3, "debate.argument_edited"),
    ]


def test_only_the_author_edits(community, proposal):
    argument = post(community["bob"], proposal)
    with pytest.raises(NotAuthor):
        services.edit_argument(actor=community["carol"], argument_id=argument.pk, body="mine now")


def test_hidden_message_cannot_be_edited_by_its_author(community, proposal):
    argument = post(community["bob"], proposal, body="rude words")
    services.hide_argument(actor=community["carol"], argument_id=argument.pk, reason="Insults")
    with pytest.raises(ArgumentHidden):
        services.edit_argument(actor=community["bob"], argument_id=argument.pk, body="polite now")
    argument.refresh_from_db()
    assert argument.body == "rude words"
    assert argument.revisions.count() == 1


def test_steward_hides_with_a_public_reason_journaled(community, proposal):
    argument = post(community["bob"], proposal)
    services.hide_argument(actor=community["carol"], argument_id=argument.pk, reason="Off topic")
    argument.refresh_from_db()
    assert argument.status == "hidden"
    assert argument.hidden_by == community["carol"]
    assert Argument.objects.filter(pk=argument.pk).exists()  # hidden, not deleted
    entry = JournalEntry.objects.filter(kind="moderation.hidden").get()
    assert entry.actor == "carol"
    assert entry.payload == {
        "proposal": proposal.pk,
        "argument": argument.pk,
        "author": "bob",
        "reason": "Off topic",
    }
    event = StreamEvent.objects.filter(type="debate.argument_hidden").get()
    assert "html" not in event.payload
    assert event.payload["hidden_reason"] == "Off topic"
    assert event.payload["hidden_by"] == "carol"


def test_hiding_needs_a_reason(community, proposal):
    argument = post(community["bob"], proposal)
    with pytest.raises(MessageInvalid):
        services.hide_argument(actor=community["carol"], argument_id=argument.pk, reason=" ")
    assert not ModerationAction.objects.exists()


def test_only_stewards_hide(community, proposal):
    argument = post(community["bob"], proposal)
    with pytest.raises(NotSteward):
        services.hide_argument(actor=community["alice"], argument_id=argument.pk, reason="No")
    assert not JournalEntry.objects.filter(kind__startswith="moderation.").exists()


def test_author_asks_review_and_another_steward_restores(community, proposal, second_steward):
    argument = post(community["bob"], proposal)
    services.hide_argument(actor=community["carol"], argument_id=argument.pk, reason="Spam?")
    services.request_review(actor=community["bob"], argument_id=argument.pk, reason="Not spam")
    with pytest.raises(ModerationConflict):
        services.restore_argument(actor=community["carol"], argument_id=argument.pk, reason="x")
    services.restore_argument(actor=second_steward, argument_id=argument.pk, reason="Fair point")
    argument.refresh_from_db()
    assert argument.status == "visible"
    kinds = list(
        JournalEntry.objects.filter(kind__startswith="moderation.")
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert kinds == ["moderation.hidden", "moderation.review_requested", "moderation.restored"]
    assert [t for _s, t in events_of(proposal)][-1] == "debate.argument_restored"


def test_another_steward_confirms_the_hiding(community, proposal, second_steward):
    argument = post(community["bob"], proposal)
    services.hide_argument(actor=community["carol"], argument_id=argument.pk, reason="Insult")
    services.request_review(actor=community["bob"], argument_id=argument.pk)
    services.confirm_hiding(actor=second_steward, argument_id=argument.pk, reason="It is")
    argument.refresh_from_db()
    assert argument.status == "hide_confirmed"
    assert JournalEntry.objects.filter(kind="moderation.confirmed").count() == 1
    with pytest.raises(ModerationConflict):
        services.request_review(actor=community["bob"], argument_id=argument.pk)


def test_review_is_asked_only_by_the_author(community, proposal):
    argument = post(community["bob"], proposal)
    services.hide_argument(actor=community["carol"], argument_id=argument.pk, reason="Spam")
    with pytest.raises(NotAuthor):
        services.request_review(actor=community["alice"], argument_id=argument.pk)


def test_restore_without_review_request_is_refused(community, proposal, second_steward):
    argument = post(community["bob"], proposal)
    services.hide_argument(actor=community["carol"], argument_id=argument.pk, reason="Spam")
    with pytest.raises(ModerationConflict):
        services.restore_argument(actor=second_steward, argument_id=argument.pk, reason="ok")


def test_member_flags_once_and_not_their_own(community, proposal):
    argument = post(community["bob"], proposal)
    services.flag_argument(actor=community["alice"], argument_id=argument.pk, reason="rude")
    with pytest.raises(ModerationConflict):
        services.flag_argument(actor=community["alice"], argument_id=argument.pk)
    with pytest.raises(ModerationConflict):
        services.flag_argument(actor=community["bob"], argument_id=argument.pk)


def test_running_tally_is_published_when_the_bylaws_allow_it(
    community, django_capture_on_commit_callbacks
):
    alice, bob, carol, ada = community.values()
    proposal = voting_now(alice, title="Plant fruit trees in the courtyard")
    cast_ballots(proposal, yes=[alice, bob, carol], no=[ada])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        broadcasts.tally_changed(proposal=proposal)
    event = StreamEvent.objects.get(stream__key=stream_of(proposal.pk), type="proposal.tally")
    payload = dict(event.payload)
    explanation = payload.pop("explanation")  # one per language of the site
    assert payload == {
        "proposal": proposal.pk,
        "yes": 3,
        "no": 1,
        "abstain": 0,
        "electorate": 4,  # the roll frozen when voting opened
        "ballots": 4,
    }
    assert explanation["en"].startswith("If voting closed now: passed: 75 % yes of yes+no")
    assert explanation["fr"].startswith("Si le vote se terminait maintenant")


def test_running_tally_stays_secret_when_the_frozen_rules_say_so(
    community, django_capture_on_commit_callbacks
):
    alice, bob, *_ = community.values()
    change_rules(alice, list(community.values()), tally_visible_during_vote=False)
    proposal = voting_now(alice, title="Plant fruit trees in the courtyard")
    assert proposal.rules["tally_visible_during_vote"] is False
    cast_ballots(proposal, yes=[alice, bob])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        broadcasts.tally_changed(proposal=proposal)
        broadcasts.state_changed(proposal=proposal)
    assert not StreamEvent.objects.filter(
        stream__key=stream_of(proposal.pk), type="proposal.tally"
    ).exists()
    state = last_state_event(proposal)
    assert state.payload == {"proposal": proposal.pk, "state": "voting", "is_open": True}


def test_state_change_after_the_vote_carries_the_result(community):
    alice, bob, carol, ada = community.values()
    change_rules(alice, [alice, bob, carol, ada], tally_visible_during_vote=False)
    proposal = hold_vote(
        draft(alice, title="Pave the courtyard"),
        yes=[alice],
        no=[bob, carol, ada, make_member("dan"), make_member("erin")],
    )
    assert proposal.state == "rejected"
    assert proposal.rules["tally_visible_during_vote"] is False
    state = last_state_event(proposal)  # stored when the vote closed
    assert state.payload["state"] == "rejected"
    assert state.payload["tally"]["no"] == 5
    assert state.payload["is_open"] is False


def test_event_log_and_history_are_append_only_in_the_database(community, proposal):
    argument = post(community["bob"], proposal)
    with pytest.raises(IntegrityError, match="stream guard"), transaction.atomic():
        StreamEvent.objects.all().update(type="debate.forged")
    with pytest.raises(IntegrityError, match="debate guard"), transaction.atomic():
        ArgumentRevision.objects.all().delete()
    with (
        pytest.raises(IntegrityError, match="debate guard"),
        transaction.atomic(),
        connection.cursor() as cursor,  # below the ORM's own PROTECT check
    ):
        cursor.execute("DELETE FROM debates_argument WHERE id = %s", [argument.pk])


def test_demo_seed_posts_bilingual_debate_with_one_hidden_message(community, proposal):
    from demo.debates import seed_debates

    made = seed_debates(proposals=[proposal], members=community)
    assert made == 7
    arguments = Argument.objects.filter(proposal=proposal)
    assert arguments.filter(parent__isnull=False).count() == 2
    hidden = arguments.get(status="hidden")
    assert hidden.hidden_by == community["carol"]
    assert hidden.hidden_reason
    assert JournalEntry.objects.filter(kind="moderation.hidden").count() == 1
