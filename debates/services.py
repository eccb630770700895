"""Every write to a debate: posting, editing, flagging and open moderation,
and who may follow it live. Each service takes the acting person, checks the
rules itself, runs in one transaction, and publishes its event into the
stream of the proposal's page (stored in that transaction, broadcast after
commit)."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
from debates.events import (
    ARGUMENT_EDITED,
    ARGUMENT_HIDDEN,
    ARGUMENT_MODERATED,
    ARGUMENT_POSTED,
    ARGUMENT_RESTORED,
)
from debates.models import (
    MAX_BODY_BYTES,
    MAX_REASON_CHARS,
    TOP_LEVEL_STANCES,
    Argument,
    ArgumentRevision,
    Flag,
    ModerationAction,
    Stance,
)
from debates.permissions import can_moderate, is_open_for_posting
from governance import journal
from governance.selectors import current_parameters
from kernel.ids import as_id
from kernel.markdown import render_markdown
from members.selectors import is_member
from proposals.broadcasts import stream_of
from proposals.models import Proposal
from proposals.permissions import can_view
from realtime import events
from realtime import services as transport
from realtime.consumers import Welcome


def _proposal(proposal_id, person) -> Proposal:
    """The proposal, if this person may see it (drafts only by their authors)."""
    proposal = Proposal.objects.filter(pk=as_id(proposal_id)).first()
    if proposal is None or not can_view(person, proposal):
        raise DebateNotFound(_("There is no such proposal."))
    return proposal


def _require_open(proposal) -> None:
    if not is_open_for_posting(proposal):
        raise DebateClosed(
            _("The debate on this proposal is closed: it has been decided or withdrawn.")
        )


def _require_member(actor) -> None:
    if not is_member(actor):
        raise NotAMember(_("Only members in good standing can take part in debates."))


def _require_steward(actor) -> None:
    if not can_moderate(actor):
        raise NotSteward(_("Only a steward can moderate debates."))


def too_long_message() -> str:
    """The one wording of the size limit: the service's refusal, the page's
    own check before sending (debate.js) and the transport's refusal of an
    oversized frame (realtime.consumers) all say this."""
    return _("A message can be at most %(limit)d KB long.") % {"limit": MAX_BODY_BYTES // 1024}


def _clean_body(body) -> str:
    if not isinstance(body, str):
        raise MessageInvalid(_("The message must be text."))
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise MessageInvalid(_("Write a message before posting."))
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        raise MessageTooLong(too_long_message())
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
        # The source too (public, as its edit history is): the author's page
        # fills the edit form of a message that arrived live.
        data["body"] = argument.body
    return data


def _lock_argument(argument_id):
    """The one place debates lock for read-then-write: the stream of the
    proposal's page (which numbers events), then the argument, always in that
    order."""
    argument_id = as_id(argument_id)
    proposal_id = (
        Argument.objects.filter(pk=argument_id).values_list("proposal_id", flat=True).first()
    )
    if proposal_id is None:
        raise DebateNotFound(_("There is no such message."))
    stream = events.lock_stream(stream_of(proposal_id))
    argument = (
        Argument.objects.select_for_update(of=("self",))
        .select_related("author", "hidden_by", "proposal")
        .get(pk=argument_id)
    )
    return argument, stream


@transaction.atomic
def post_argument(
    *, actor, proposal_id: int, body: str, stance: str = "", parent_id: int | None = None
) -> Argument:
    """A member posts an argument (pro, contra, question) or a reply."""
    proposal = _proposal(proposal_id, actor)
    _require_member(actor)
    _require_open(proposal)
    body = _clean_body(body)
    stream = events.lock_stream(stream_of(proposal.pk))
    parent = None
    if parent_id not in (None, ""):
        parent = Argument.objects.filter(pk=as_id(parent_id), proposal=proposal).first()
        if parent is None:
            raise DebateNotFound(_("The message you reply to is not in this debate."))
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
        proposal=proposal,
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
    events.append_event(stream, type=ARGUMENT_POSTED, data=argument_data(argument))
    return argument


@transaction.atomic
def edit_argument(*, actor, argument_id: int, body: str) -> Argument:
    """The author changes their message; every earlier text stays visible."""
    argument, stream = _lock_argument(argument_id)
    if argument.author_id != getattr(actor, "pk", None):
        raise NotAuthor(_("Only the author can edit a message."))
    _require_member(actor)
    if argument.is_hidden:
        raise ArgumentHidden(
            _("A hidden message cannot be edited. You can ask for a review instead.")
        )
    _require_open(argument.proposal)
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
    events.append_event(stream, type=ARGUMENT_EDITED, data=argument_data(argument))
    return argument


@transaction.atomic
def flag_argument(*, actor, argument_id: int, reason: str = "") -> Flag:
    """A member asks the stewards to look at a message."""
    _require_member(actor)
    argument, _stream = _lock_argument(argument_id)
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


def _moderate(argument, stream, *, actor, action: str, reason: str, event_type: str) -> None:
    """Journal and announce a moderation step already recorded and applied."""
    journal.record(
        kind=f"moderation.{action}",
        actor=actor,
        payload={
            "proposal": argument.proposal_id,
            "argument": argument.pk,
            "author": argument.author.get_username(),
            "reason": reason,
        },
    )
    events.append_event(stream, type=event_type, data=argument_data(argument))


@transaction.atomic
def hide_argument(*, actor, argument_id: int, reason: str) -> Argument:
    """A steward hides (never deletes) a message, with a public reason."""
    _require_steward(actor)
    reason = _clean_reason(reason, required=True)
    argument, stream = _lock_argument(argument_id)
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
        stream,
        actor=actor,
        action=ModerationAction.Action.HIDDEN,
        reason=reason,
        event_type=ARGUMENT_HIDDEN,
    )
    return argument


@transaction.atomic
def request_review(*, actor, argument_id: int, reason: str = "") -> Argument:
    """The author asks another steward to review the hiding (once)."""
    argument, stream = _lock_argument(argument_id)
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
        stream,
        actor=actor,
        action=ModerationAction.Action.REVIEW_REQUESTED,
        reason=reason,
        event_type=ARGUMENT_MODERATED,
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
    argument, stream = _lock_argument(argument_id)
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
        stream,
        actor=actor,
        action=ModerationAction.Action.RESTORED,
        reason=reason,
        event_type=ARGUMENT_RESTORED,
    )
    return argument


@transaction.atomic
def confirm_hiding(*, actor, argument_id: int, reason: str) -> Argument:
    """Another steward reviews the hiding and upholds it; this is final."""
    argument, stream = _lock_argument(argument_id)
    _require_reviewer(argument, actor)
    reason = _clean_reason(reason, required=True)
    _record_moderation(
        argument, actor=actor, action=ModerationAction.Action.CONFIRMED, reason=reason
    )
    argument.status = Argument.Status.HIDE_CONFIRMED
    argument.save(update_fields=["status"])
    _moderate(
        argument,
        stream,
        actor=actor,
        action=ModerationAction.Action.CONFIRMED,
        reason=reason,
        event_type=ARGUMENT_MODERATED,
    )
    return argument


def join_debate(*, person, proposal_id: int, channel_name: str) -> Welcome:
    """Someone opens the live debate of a proposal they may read; the welcome
    tells their page what they may do there."""
    proposal = _proposal(proposal_id, person)
    joined = transport.join_stream(
        key=stream_of(proposal.pk), person=person, channel_name=channel_name
    )
    member = person if getattr(person, "is_authenticated", False) else None
    return Welcome(
        joined=joined,
        data={
            "proposal": proposal.pk,
            "is_member": is_member(member),
            "is_steward": can_moderate(member),
            "is_open": is_open_for_posting(proposal),
        },
    )
