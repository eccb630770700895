"""Why a debate action was refused. Each maps to an HTTP status for views and
the API, and to the `code` of a websocket error frame."""

from __future__ import annotations

from kernel.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound


class DebateNotFound(NotFound):
    code = "not_found"


class NotAMember(NotAllowed):
    code = "not_member"


class NotSteward(NotAllowed):
    code = "not_steward"


class NotAuthor(NotAllowed):
    code = "not_author"


class DebateClosed(Conflict):
    code = "debate_closed"


class ArgumentHidden(Conflict):
    code = "argument_hidden"


class ModerationConflict(Conflict):
    code = "moderation_conflict"


class MessageInvalid(InvalidInput):
    code = "invalid"


class MessageTooLong(InvalidInput):
    code = "too_long"


class PostingTooFast(DomainError):
    """The bylaws cap how many messages a member may post a minute."""

    http_status = 429
    code = "rate_limited"
