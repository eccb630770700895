"""Hooks django-allauth's account flow into membership services, and makes
its emails speak for the community: its name (the founding act's), the
address people can write to (settings `CONTACT_EMAIL`), and links to the
site (`SITE_URL`), never the host name a request happened to use."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.db import transaction

from governance.parameters import Admission
from governance.selectors import community_name, current_parameters
from members import services
from members.emails import contact_address, from_email, subject_line


@dataclass(frozen=True)
class CommunitySite:
    """What allauth's email templates read as `current_site`."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # One transaction: an application refused (the bylaws changed after
        # they were shown) leaves no account behind.
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=commit)
            if commit:
                services.apply_for_membership(
                    member=user,
                    accepted_bylaws_entry=getattr(form, "cleaned_data", {}).get("bylaws_entry"),
                )
        return user

    def confirm_email(self, request, email_address):
        """Under open admission, confirming the address makes the applicant a
        member. allauth goes on (and logs the person in) only when this
        answers that the address was confirmed."""
        confirmed = super().confirm_email(request, email_address)
        if not confirmed:
            return confirmed
        member = email_address.user
        membership = services.apply_for_membership(member=member)
        if membership.status == membership.Status.APPLICANT and (
            current_parameters().admission == Admission.OPEN
        ):
            services.admit_member(member=member)
        return confirmed

    # --- emails ---------------------------------------------------------------------------

    def format_email_subject(self, subject: str) -> str:
        return subject_line(subject)

    def get_from_email(self) -> str:
        return from_email()

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        site = CommunitySite(
            name=community_name(), domain=urlsplit(settings.SITE_URL).netloc or settings.SITE_URL
        )
        context = {
            **context,
            "current_site": site,
            "community_name": site.name,
            "contact_email": contact_address(),
            "site_url": settings.SITE_URL,
        }
        super().send_mail(template_prefix, email, context)

    def render_mail(self, template_prefix, email, context, headers=None):
        # Replies reach people, not the sending robot.
        headers = {"Reply-To": contact_address(), **(headers or {})}
        return super().render_mail(template_prefix, email, context, headers=headers)
