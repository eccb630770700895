"""Hooks django-allauth's account flow into membership services."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter

from governance.parameters import Admission
from governance.selectors import current_parameters
from members import services


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.apply_for_membership(member=user)
        return user

    def confirm_email(self, request, email_address):
        super().confirm_email(request, email_address)
        member = email_address.user
        membership = services.apply_for_membership(member=member)
        if membership.status == membership.Status.APPLICANT and (
            current_parameters().admission == Admission.OPEN
        ):
            services.admit_member(member=member)
