"""Red team: debates (arguments, their revisions, moderation actions, flags
and the event log) attacked through the application's own connection."""

from __future__ import annotations

import pytest
from django.utils import timezone

from debates import services
from debates.models import Argument, ArgumentRevision, Flag, ModerationAction
from proposals.broadcasts import stream_of
from realtime.models import Stream, StreamEvent
from tests.debates.helpers import make_proposal
from tests.factories import make_member
from tests.guards.helpers import DAY, db_time, raw, replace_row, rows

POST = "debate guard: a message is posted visible, now, by a member in good standing"
FIXED = "debate guard: a message's author, thread, stance and date never change"
EDIT = "debate guard: a message's text changes only with a new revision holding that text"
STATUS = "debate guard: a message is hidden or shown again only as the latest moderation record"
MODERATION = "debate guard: stewards hide with a public reason; the author may ask once for review"
REVISION = (
    "debate guard: revisions are written now, numbered in order, the first holding the message"
)


@pytest.fixture
def debate(community):
    """A motion in discussion; bob argues for it; ada's message was hidden by
    carol (the steward) with a public reason; alice flagged bob's message."""
    proposal = make_proposal(community["alice"])
    argued = services.post_argument(
        actor=community["bob"], proposal_id=proposal.pk, body="Apples for everyone.", stance="pro"
    )
    hidden = services.post_argument(
        actor=community["ada"], proposal_id=proposal.pk, body="You are all idiots.", stance="contra"
    )
    services.hide_argument(actor=community["carol"], argument_id=hidden.pk, reason="Insults.")
    services.flag_argument(actor=community["alice"], argument_id=argued.pk, reason="Off topic")
    argued.refresh_from_db()
    hidden.refresh_from_db()
    return {**community, "proposal": proposal, "argued": argued, "hidden": hidden}


def record():
    return (
        rows(Argument),
        rows(ArgumentRevision),
        rows(ModerationAction),
        rows(Flag),
        rows(StreamEvent),
        rows(Stream),
    )


def test_a_message_is_posted_visible_now_by_a_member(debate, refused):
    applicant = make_member("ivy", status="applicant")
    before = record()
    now = timezone.now()

    def post(**fields):
        values = {
            "proposal": debate["argued"].proposal,
            "author": debate["bob"],
            "stance": "pro",
            "body": "Posted behind the service's back.",
            "body_html": "<p>Posted behind the service's back.</p>",
            "created_at": now,
        }
        values.update(fields)
        Argument.objects.create(**values)

    with refused(POST):  # born hidden, as if a steward had hidden it
        post(status="hidden", hidden_by=debate["carol"], hidden_reason="x", hidden_at=now)
    with refused(POST):  # backdated into the debate's past
        post(created_at=now - 30 * DAY)
    with refused(POST):  # as if edited already
        post(revision_count=3, edited_at=now)
    with refused(POST):
        post(author=applicant)
    assert record() == before


def test_a_message_cannot_be_hidden_without_a_moderation_record(debate, refused):
    argued = debate["argued"]
    before = record()
    with refused(STATUS):
        Argument.objects.filter(pk=argued.pk).update(
            status="hidden",
            hidden_by=debate["carol"],
            hidden_reason="Disagrees with the founder.",
            hidden_at=timezone.now(),
        )
    argued.status = "hide_confirmed"
    argued.hidden_by, argued.hidden_reason, argued.hidden_at = (
        debate["carol"],
        "Final.",
        timezone.now(),
    )
    with refused(STATUS):
        argued.save()
    with refused(STATUS):
        Argument.objects.bulk_update([argued], ["status", "hidden_by", "hidden_reason"])
    with refused(STATUS):
        raw(
            "UPDATE debates_argument SET status = 'hidden', hidden_by_id = %s, "
            "hidden_reason = 'raw', hidden_at = hidden_at WHERE id = %s",
            [debate["carol"].pk, argued.pk],
        )
    assert record() == before


def test_a_hidden_message_cannot_be_shown_again_silently(debate, refused):
    hidden = debate["hidden"]
    before = record()
    with refused(STATUS):
        Argument.objects.filter(pk=hidden.pk).update(
            status="visible", hidden_by=None, hidden_reason="", hidden_at=None
        )
    with refused(STATUS):  # "under review" without the author asking
        Argument.objects.filter(pk=hidden.pk).update(status="under_review")
    with refused(STATUS):  # the public reason rewritten
        Argument.objects.filter(pk=hidden.pk).update(hidden_reason="Spam.")
    with refused(STATUS):  # hidden by someone else, after the fact
        Argument.objects.filter(pk=hidden.pk).update(hidden_by=debate["bob"])
    assert record() == before


def test_a_message_is_not_rewritten_without_a_revision(debate, refused):
    argued, hidden = debate["argued"], debate["hidden"]
    before = record()
    with refused(EDIT):
        Argument.objects.filter(pk=argued.pk).update(body="Pears for the founder.")
    with refused(EDIT):
        Argument.objects.filter(pk=argued.pk).update(
            body="Pears for the founder.",
            body_html="<p>Pears for the founder.</p>",
            revision_count=2,
            edited_at=timezone.now(),
        )
    argued.body_html = "<p>Pears for the founder.</p>"
    with refused(EDIT):
        argued.save()
    with refused(REVISION):  # a revision, but the message is hidden
        ArgumentRevision.objects.create(
            argument=hidden,
            number=2,
            body="I was nice.",
            body_html="<p>I was nice.</p>",
            created_at=timezone.now(),
        )
        Argument.objects.filter(pk=hidden.pk).update(
            body="I was nice.",
            body_html="<p>I was nice.</p>",
            revision_count=2,
            edited_at=timezone.now(),
        )
    with refused(EDIT):  # a revision holding another text than the new body
        ArgumentRevision.objects.create(
            argument=argued,
            number=2,
            body="Harmless.",
            body_html="<p>Harmless.</p>",
            created_at=timezone.now(),
        )
        Argument.objects.filter(pk=argued.pk).update(
            body="Pears for the founder.",
            body_html="<p>Pears for the founder.</p>",
            revision_count=2,
            edited_at=timezone.now(),
        )
    assert record() == before


def test_a_message_keeps_its_author_thread_stance_and_date(debate, refused):
    argued = debate["argued"]
    other = make_proposal(debate["bob"], title="Another motion")
    services.post_argument(actor=debate["bob"], proposal_id=other.pk, body="Hi.", stance="pro")
    before = record()
    for change in (
        {"author": debate["carol"]},
        {"stance": "contra"},
        {"created_at": timezone.now() - 30 * DAY},
        {"proposal": other},
    ):
        with refused(FIXED):
            Argument.objects.filter(pk=argued.pk).update(**change)
    with refused("debate guard: arguments are hidden, never deleted"):
        raw("DELETE FROM debates_argument WHERE id = %s", [argued.pk])
    assert record() == before


def test_moderation_is_recorded_by_the_people_the_rules_name(debate, refused):
    argued, hidden = debate["argued"], debate["hidden"]
    before = record()
    now = timezone.now()

    def act(argument, actor, action, reason="A reason.", **fields):
        ModerationAction.objects.create(
            argument=argument,
            actor=actor,
            action=action,
            reason=reason,
            created_at=fields.get("created_at", now),
        )

    with refused(MODERATION):  # the founder is no steward
        act(argued, debate["alice"], "hidden")
    with refused(MODERATION):  # a steward must say why
        act(argued, debate["carol"], "hidden", reason="  ")
    with refused(MODERATION):  # backdated
        act(argued, debate["carol"], "hidden", created_at=now - 30 * DAY)
    with refused(MODERATION):  # review asked by someone else than the author
        act(hidden, debate["alice"], "review_requested")
    with refused(MODERATION):  # restored without a review being asked
        act(hidden, debate["carol"], "restored")
    assert record() == before

    services.request_review(actor=debate["ada"], argument_id=hidden.pk, reason="Please.")
    before = record()
    with refused(MODERATION):  # the steward who hid it reviews it
        act(hidden, debate["carol"], "restored")
    with refused(MODERATION):  # a founder "confirms"
        act(hidden, debate["alice"], "confirmed")
    assert record() == before


def test_the_moderation_log_flags_and_event_log_are_append_only(debate, refused):
    before = record()
    action = ModerationAction.objects.get()
    with refused("debate guard: the moderation log is append-only"):
        ModerationAction.objects.filter(pk=action.pk).update(reason="No reason.")
    with refused("debate guard: the moderation log is append-only"):
        ModerationAction.objects.filter(pk=action.pk).delete()
    with refused("debate guard: flags are append-only"):
        Flag.objects.all().delete()
    with refused("debate guard: flags are append-only"):
        Flag.objects.update(reason="")
    with refused("debate guard: flags are append-only"):
        raw("DELETE FROM debates_flag")
    with refused("stream guard: a stream's event log is append-only"):
        StreamEvent.objects.update(payload={})
    with refused("stream guard: a stream's event log is append-only"):
        raw("DELETE FROM realtime_streamevent")
    assert record() == before


def test_a_flag_cannot_be_replaced_in_one_insert(debate, refused):
    """Once got through (SQLite, low: raw SQL on SQLite can also drop triggers): `INSERT OR
    REPLACE` deletes the flag it replaces without firing the DELETE guard,
    so alice's flag is rewritten (here: to no reason, by someone else). On
    PostgreSQL the equivalent upsert fires the UPDATE guard."""
    flag = Flag.objects.get()
    before = record()
    with refused("debate guard: flags are append-only"):
        replace_row(
            "debates_flag",
            {
                "id": flag.pk,
                "argument_id": flag.argument_id,
                "member_id": debate["carol"].pk,
                "reason": "",
                "created_at": db_time(flag.created_at),
            },
        )
    assert record() == before


def test_the_edit_history_is_append_only_and_in_order(debate, refused):
    argued = debate["argued"]
    first = ArgumentRevision.objects.get(argument=argued, number=1)
    before = record()
    with refused("debate guard: the edit history of an argument is append-only"):
        ArgumentRevision.objects.filter(pk=first.pk).update(body="Pears.")
    with refused("debate guard: the edit history of an argument is append-only"):
        ArgumentRevision.objects.filter(pk=first.pk).delete()
    with refused(REVISION):  # out of order
        ArgumentRevision.objects.create(
            argument=argued, number=7, body="x", body_html="x", created_at=timezone.now()
        )
    assert record() == before


def test_the_edit_history_cannot_be_forged(debate, refused):
    """Once got through (both databases, medium). A revision after the first is checked
    only for its number: the application can add to bob's edit history a
    text he never wrote, dated last year, while his message still shows its
    own text (and to a hidden message, which can no longer be edited)."""
    argued = debate["argued"]
    before = record()
    with refused(REVISION):
        ArgumentRevision.objects.create(
            argument=argued,
            number=2,
            body="The founder should be paid double.",
            body_html="<p>The founder should be paid double.</p>",
            created_at=timezone.now() - 365 * DAY,
        )
    assert record() == before


def test_a_stream_keeps_its_key_and_its_count(debate, refused):
    """Once got through (both databases, low), when streams were debates: the
    debate row had no guard, so its proposal could be changed, carrying every
    event of one proposal's page onto another (and its counter rewound, so
    readers would skip or repeat events)."""
    other = make_proposal(debate["bob"], title="Another motion")
    stream = Stream.objects.get(key=stream_of(debate["proposal"].pk))
    before = record()
    with refused("stream guard"):
        Stream.objects.filter(pk=stream.pk).update(key=stream_of(other.pk) + "9")
    with refused("stream guard"):
        Stream.objects.filter(pk=stream.pk).update(last_seq=stream.last_seq - 1)
    with refused("stream guard"):
        raw("DELETE FROM realtime_stream WHERE id = %s", [stream.pk])
    assert record() == before


def test_messages_cannot_trade_identities(debate, refused):
    """Once got through (both databases, low-medium). The argument guard does not freeze
    `id`: swapping the ids of ada's hidden message and bob's visible one
    (three UPDATEs; foreign keys are deferred and consistent at commit)
    hangs carol's public "hidden: Insults." record, and ada's edit history,
    on bob's message — which is still visible — while ada's message stays
    hidden under an id with no moderation record."""
    from django.db import connection

    argued, hidden = debate["argued"], debate["hidden"]
    before = record()
    spare = Argument.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    with refused("a guarded row's key never changes"):
        for old, new in ((hidden.pk, spare), (argued.pk, hidden.pk), (spare, argued.pk)):
            raw("UPDATE debates_argument SET id = %s WHERE id = %s", [new, old])
        connection.check_constraints()
    assert record() == before
