"""Base classes for domain errors raised by services.

Services raise these; the API turns them into 400/403/404/409 responses with
the message, and views turn them into form errors or flash messages. The
message is written for the person who caused it.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the community refused the action."""

    http_status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        field_message: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        # The input it is about, when one is: a form shows `field_message`
        # (the same words without the input's name) beside that input.
        self.field = field
        self.field_message = field_message or message
        if code:
            self.code = code

    def __str__(self) -> str:
        return str(self.message)


class InvalidInput(DomainError):
    http_status = 400
    code = "invalid"


class NotAllowed(DomainError):
    """The actor may not do this (role, standing, ownership)."""

    http_status = 403
    code = "forbidden"


class NotFound(DomainError):
    http_status = 404
    code = "not_found"


class Conflict(DomainError):
    """The action does not fit the current state (already done, wrong phase)."""

    http_status = 409
    code = "conflict"


class RateLimited(DomainError):
    """Too many attempts: wait before trying again."""

    http_status = 429
    code = "too_many_attempts"
