"""Every write to a debate: posting, editing, flagging, open moderation and
presence. Each service takes the acting person, checks the rules itself, runs
in one transaction, stores its event and broadcasts only after commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import journal
from governance.selectors import current_parameters
from kernel.markdown import render_markdown
from members.selectors import has_role, is_member
from realtime import events
from realtime.errors import (
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
    TooManyConnections,
)
from realtime.models import (
    MAX_BODY_BYTES,
    MAX_REASON_CHARS,
    TOP_LEVEL_STANCES,
    Argument,
    ArgumentRevision,
    Debate,
    Flag,
    ModerationAction,
    Presence,
    Stance,
)

# A connection that has said nothing for this long no longer counts as present
# (it belonged to a server that died without closing it).
PRESENCE_TTL = timedelta(minutes=10)
PRESENCE_REFRESH = timedelta(minutes=2)


def max_connections_per_member() -> int:
    return int(getattr(settings, "REALTIME_MAX_CONNECTIONS_PER_MEMBER", 5))


def _proposal(proposal_id, person):
    """The proposal, if this person may see it (drafts only by their authors)."""
    from proposals.models import Proposal
    from proposals.selectors import can_view

    try:
        proposal = Proposal.objects.get(pk=int(proposal_id))
    except (Proposal.DoesNotExist, TypeError, ValueError):
        raise DebateNotFound(_("There is no such proposal.")) from None
    if not can_view(person, proposal):
        raise DebateNotFound(_("There is no such proposal."))
    return proposal


def is_open_for_posting(proposal) -> bool:
    """Posting closes when the decision is closed or the proposal withdrawn."""
    from proposals.models import CLOSED_STATES, State

    return proposal.state not in (*CLOSED_STATES, State.WITHDRAWN)


def _require_open(proposal) -> None:
    if not is_open_for_posting(proposal):
        raise DebateClosed(
            _("The debate on this proposal is closed: it has been decided or withdrawn.")
        )


def _require_member(actor) -> None:
    if not is_member(actor):
        raise NotAMember(_("Only members in good standing can take part in debates."))


def _require_steward(actor) -> None:
    if not has_role(actor, "steward"):
        raise NotSteward(_("Only a steward can moderate debates."))


def _clean_body(body) -> str:
    if not isinstance(body, str):
        raise MessageInvalid(_("The message must be text."))
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise MessageInvalid(_("Write a message before posting."))
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        raise MessageTooLong(
            _("A message can be at most %(limit)d KB long.") % {"limit": MAX_BODY_BYTES // 1024}
        )
    return body


def _clean_reason(reason, *, required: bool) -> str:
    reason = (reason if isinstance(reason, str) else "").strip()
    if required and not reason:
        raise MessageInvalid(_("Give a public reason."))
    if len(reason) > MAX_REASON_CHARS:
        raise MessageTooLong(
            _("A reason can be at most %(limit)d characters long.") % {"limit": MAX_REASON_CHARS}
        )
    return reason


def _check_rate(actor) -> None:
    """At most `debate_posts_per_minute` messages (posts and edits) a minute."""
    limit = current_parameters().debate_posts_per_minute
    since = timezone.now() - timedelta(minutes=1)
    recent = ArgumentRevision.objects.filter(argument__author=actor, created_at__gte=since).count()
    if recent >= limit:
        raise PostingTooFast(
            _(
                "You can post at most %(limit)d messages a minute under the bylaws. "
                "Please wait a moment."
            )
            % {"limit": limit}
        )


def argument_data(argument: Argument) -> dict:
    """The public view of an argument, as sent to every client. Hidden text is
    never broadcast; the notice says who hid it and why."""
    data = {
        "id": argument.pk,
        "parent": argument.parent_id,
        "stance": argument.stance,
        "author": argument.author.get_username(),
        "author_name": argument.author.public_name,
        "created_at": argument.created_at.isoformat(),
        "edited_at": argument.edited_at.isoformat() if argument.edited_at else None,
        "revisions": argument.revision_count,
        "status": argument.status,
    }
    if argument.is_hidden:
        data["hidden_by"] = argument.hidden_by.public_name
        data["hidden_reason"] = argument.hidden_reason
        data["hidden_at"] = argument.hidden_at.isoformat()
    else:
        data["html"] = argument.body_html
    return data


def _lock_argument(argument_id) -> tuple[Argument, Debate]:
    """Lock the debate, then the argument (always in that order)."""
    try:
        argument_id = int(argument_id)
        debate_id = Argument.objects.values_list("debate_id", flat=True).get(pk=argument_id)
    except (Argument.DoesNotExist, TypeError, ValueError):
        raise DebateNotFound(_("There is no such message.")) from None
    debate = Debate.objects.select_for_update().get(pk=debate_id)
    argument = (
        Argument.objects.select_for_update(of=("self",))
        .select_related("author", "hidden_by", "debate__proposal")
        .get(pk=argument_id)
    )
    return argument, debate


@transaction.atomic
def post_argument(
    *, actor, proposal_id: int, body: str, stance: str = "", parent_id: int | None = None
) -> Argument:
    """A member posts an argument (pro, contra, question) or a reply."""
    proposal = _proposal(proposal_id, actor)
    _require_member(actor)
    _require_open(proposal)
    body = _clean_body(body)
    debate = events.lock_debate(proposal.pk)
    parent = None
    if parent_id not in (None, ""):
        try:
            parent = Argument.objects.get(pk=int(parent_id), debate=debate)
        except (Argument.DoesNotExist, TypeError, ValueError):
            raise DebateNotFound(_("The message you reply to is not in this debate.")) from None
        # Threads are one level deep: a reply to a reply joins the same thread.
        if parent.parent_id is not None:
            parent = parent.parent
        if parent.is_hidden:
            raise ArgumentHidden(_("You cannot reply to a hidden message."))
        stance = Stance.REPLY
    elif stance not in TOP_LEVEL_STANCES:
        raise MessageInvalid(_("Choose whether your argument is for, against or a question."))
    _check_rate(actor)
    now = timezone.now()
    html = render_markdown(body)
    argument = Argument.objects.create(
        debate=debate,
        parent=parent,
        author=actor,
        stance=stance,
        body=body,
        body_html=html,
        created_at=now,
    )
    ArgumentRevision.objects.create(
        argument=argument, number=1, body=body, body_html=html, created_at=now
    )
    events.append_event(debate, type=events.ARGUMENT_POSTED, data=argument_data(argument))
    return argument


@transaction.atomic
def edit_argument(*, actor, argument_id: int, body: str) -> Argument:
    """The author changes their message; every earlier text stays visible."""
    argument, debate = _lock_argument(argument_id)
    if argument.author_id != getattr(actor, "pk", None):
        raise NotAuthor(_("Only the author can edit a message."))
    _require_member(actor)
    if argument.is_hidden:
        raise ArgumentHidden(
            _("A hidden message cannot be edited. You can ask for a review instead.")
        )
    _require_open(argument.debate.proposal)
    body = _clean_body(body)
    if body == argument.body:
        raise MessageInvalid(_("The message is unchanged."))
    _check_rate(actor)
    now = timezone.now()
    html = render_markdown(body)
    argument.revision_count += 1
    # The new text is kept as a revision first: the database accepts an edit
    # only together with the revision that holds it.
    ArgumentRevision.objects.create(
        argument=argument, number=argument.revision_count, body=body, body_html=html, created_at=now
    )
    argument.body, argument.body_html, argument.edited_at = body, html, now
    argument.save(update_fields=["body", "body_html", "edited_at", "revision_count"])
    events.append_event(debate, type=events.ARGUMENT_EDITED, data=argument_data(argument))
    return argument


@transaction.atomic
def flag_argument(*, actor, argument_id: int, reason: str = "") -> Flag:
    """A member asks the stewards to look at a message."""
    _require_member(actor)
    argument, _debate = _lock_argument(argument_id)
    if argument.author_id == actor.pk:
        raise ModerationConflict(_("You cannot flag your own message."))
    if argument.is_hidden:
        raise ArgumentHidden(_("This message is already hidden."))
    reason = _clean_reason(reason, required=False)
    try:
        with transaction.atomic():
            return Flag.objects.create(
                argument=argument, member=actor, reason=reason, created_at=timezone.now()
            )
    except IntegrityError:
        raise ModerationConflict(_("You have already flagged this message.")) from None


def _record_moderation(argument, *, actor, action: str, reason: str) -> ModerationAction:
    """The public record comes first: the database lets an argument's status
    change only as its latest moderation record says."""
    return ModerationAction.objects.create(
        argument=argument, actor=actor, action=action, reason=reason, created_at=timezone.now()
    )


def _moderate(argument, debate, *, actor, action: str, reason: str, event_type: str) -> None:
    """Journal and announce a moderation step already recorded and applied."""
    journal.record(
        kind=f"moderation.{action}",
        actor=actor,
        payload={
            "proposal": debate.proposal_id,
            "argument": argument.pk,
            "author": argument.author.get_username(),
            "reason": reason,
        },
    )
    events.append_event(debate, type=event_type, data=argument_data(argument))


@transaction.atomic
def hide_argument(*, actor, argument_id: int, reason: str) -> Argument:
    """A steward hides (never deletes) a message, with a public reason."""
    _require_steward(actor)
    reason = _clean_reason(reason, required=True)
    argument, debate = _lock_argument(argument_id)
    if argument.is_hidden:
        raise ModerationConflict(_("This message is already hidden."))
    record = _record_moderation(
        argument, actor=actor, action=ModerationAction.Action.HIDDEN, reason=reason
    )
    argument.status = Argument.Status.HIDDEN
    argument.hidden_by, argument.hidden_reason, argument.hidden_at = (
        actor,
        reason,
        record.created_at,
    )
    argument.save(update_fields=["status", "hidden_by", "hidden_reason", "hidden_at"])
    _moderate(
        argument,
        debate,
        actor=actor,
        action=ModerationAction.Action.HIDDEN,
        reason=reason,
        event_type=events.ARGUMENT_HIDDEN,
    )
    return argument


@transaction.atomic
def request_review(*, actor, argument_id: int, reason: str = "") -> Argument:
    """The author asks another steward to review the hiding (once)."""
    argument, debate = _lock_argument(argument_id)
    if argument.author_id != getattr(actor, "pk", None):
        raise NotAuthor(_("Only the author can ask for a review of a hidden message."))
    if argument.status != Argument.Status.HIDDEN:
        raise ModerationConflict(
            _("A review can be asked once, for a hidden message that has not been reviewed.")
        )
    reason = _clean_reason(reason, required=False)
    _record_moderation(
        argument, actor=actor, action=ModerationAction.Action.REVIEW_REQUESTED, reason=reason
    )
    argument.status = Argument.Status.UNDER_REVIEW
    argument.save(update_fields=["status"])
    _moderate(
        argument,
        debate,
        actor=actor,
        action=ModerationAction.Action.REVIEW_REQUESTED,
        reason=reason,
        event_type=events.ARGUMENT_MODERATED,
    )
    return argument


def _require_reviewer(argument: Argument, actor) -> None:
    _require_steward(actor)
    if argument.status != Argument.Status.UNDER_REVIEW:
        raise ModerationConflict(_("Only a message whose author asked for review can be reviewed."))
    if actor.pk in (argument.hidden_by_id, argument.author_id):
        raise ModerationConflict(
            _("Another steward reviews: not the one who hid the message, nor its author.")
        )


@transaction.atomic
def restore_argument(*, actor, argument_id: int, reason: str) -> Argument:
    """Another steward reviews the hiding and shows the message again."""
    argument, debate = _lock_argument(argument_id)
    _require_reviewer(argument, actor)
    reason = _clean_reason(reason, required=True)
    _record_moderation(
        argument, actor=actor, action=ModerationAction.Action.RESTORED, reason=reason
    )
    argument.status = Argument.Status.VISIBLE
    argument.hidden_by, argument.hidden_reason, argument.hidden_at = None, "", None
    argument.save(update_fields=["status", "hidden_by", "hidden_reason", "hidden_at"])
    _moderate(
        argument,
        debate,
        actor=actor,
        action=ModerationAction.Action.RESTORED,
        reason=reason,
        event_type=events.ARGUMENT_RESTORED,
    )
    return argument


@transaction.atomic
def confirm_hiding(*, actor, argument_id: int, reason: str) -> Argument:
    """Another steward reviews the hiding and upholds it; this is final."""
    argument, debate = _lock_argument(argument_id)
    _require_reviewer(argument, actor)
    reason = _clean_reason(reason, required=True)
    _record_moderation(
        argument, actor=actor, action=ModerationAction.Action.CONFIRMED, reason=reason
    )
    argument.status = Argument.Status.HIDE_CONFIRMED
    argument.save(update_fields=["status"])
    _moderate(
        argument,
        debate,
        actor=actor,
        action=ModerationAction.Action.CONFIRMED,
        reason=reason,
        event_type=events.ARGUMENT_MODERATED,
    )
    return argument


@dataclass(frozen=True)
class Connection:
    proposal_id: int
    last_seq: int
    presence: int
    is_member: bool
    is_steward: bool
    is_open: bool


@transaction.atomic
def join_debate(*, person, proposal_id: int, channel_name: str) -> Connection:
    """A websocket connection opens: count it, within the per-member limit."""
    proposal = _proposal(proposal_id, person)
    now = timezone.now()
    member = person if getattr(person, "is_authenticated", False) else None
    if member is not None:
        open_connections = Presence.objects.filter(
            member=member, seen_at__gte=now - PRESENCE_TTL
        ).count()
        if open_connections >= max_connections_per_member():
            raise TooManyConnections(
                _("You have too many debate windows open; close one and try again.")
            )
    debate = Debate.objects.filter(proposal_id=proposal.pk).first()
    if debate is None:
        debate = events.lock_debate(proposal.pk)
    Presence.objects.create(
        debate=debate, member=member, channel_name=channel_name, connected_at=now, seen_at=now
    )
    return Connection(
        proposal_id=proposal.pk,
        last_seq=debate.last_seq,
        presence=presence_count(debate_id=debate.pk),
        is_member=is_member(member),
        is_steward=has_role(member, "steward"),
        is_open=is_open_for_posting(proposal),
    )


def presence_count(*, debate_id: int) -> int:
    since = timezone.now() - PRESENCE_TTL
    return Presence.objects.filter(debate_id=debate_id, seen_at__gte=since).count()


@transaction.atomic
def leave_debate(*, channel_name: str) -> None:
    Presence.objects.filter(channel_name=channel_name).delete()


@transaction.atomic
def touch_presence(*, channel_name: str) -> None:
    """A live connection said something: keep it counted (at most every 2 minutes)."""
    now = timezone.now()
    Presence.objects.filter(channel_name=channel_name, seen_at__lt=now - PRESENCE_REFRESH).update(
        seen_at=now
    )
