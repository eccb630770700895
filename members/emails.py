"""Emails from the community: every email Commons sends (account emails,
notifications, the daily digest) comes from the community by name, says its
name in the subject, and takes replies at the community's contact address.

The address is DEFAULT_FROM_EMAIL's; the name is the one the founding act
gave (`governance.selectors.community_name`), not the host name; replies go
to CONTACT_EMAIL, else to the sender."""

from __future__ import annotations

import logging
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from governance.selectors import community_name

logger = logging.getLogger(__name__)


def sender_address() -> str:
    """The address emails come from (DEFAULT_FROM_EMAIL), shown with the community's name."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL


def contact_address() -> str:
    """Where people can write to the community (CONTACT_EMAIL, else the sender)."""
    return getattr(settings, "CONTACT_EMAIL", "") or sender_address()


def subject_line(subject: str) -> str:
    return f"[{community_name()}] {subject}"


def from_email() -> str:
    return formataddr((community_name(), sender_address()))


def community_email(*, subject: str, body: str, to: list[str]) -> EmailMessage:
    return EmailMessage(
        subject=subject_line(subject),
        body=body,
        from_email=from_email(),
        to=to,
        reply_to=[contact_address()],
    )


def send_community_emails(messages: list[EmailMessage], *, fail_silently: bool = False) -> int:
    """Send over one connection; with ``fail_silently`` a failure is logged
    (a notification must not undo what it announces)."""
    if not messages:
        return 0
    try:
        return get_connection(fail_silently=False).send_messages(messages) or 0
    except Exception:
        if not fail_silently:
            raise
        logger.exception("could not send %s notification emails", len(messages))
        return 0
