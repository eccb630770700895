"""Forms of the members pages. They only parse input; services decide."""

from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Member


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=Member._meta.get_field("display_name").max_length,
        required=False,
        help_text=_("The name other members see. Leave empty to use your username."),
    )
    bio = forms.CharField(
        label=_("About me"),
        max_length=Member._meta.get_field("bio").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("A few words for other members. Everyone in the directory can read it."),
    )


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class SuspensionForm(forms.Form):
    reason = forms.CharField(
        label=_("Public reason for the suspension"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("This reason is published in the governance journal and on the profile."),
    )


class ReinstatementForm(forms.Form):
    reason = forms.CharField(
        label=_("Public reason for the reinstatement"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("This reason is published in the governance journal."),
    )


class LeaveForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that I will stop being a member and give up my roles."),
        required=True,
        error_messages={"required": _("Tick the box to confirm that you want to leave.")},
    )


class LoginForm(AllauthLoginForm):
    """allauth's login form with a label people understand.

    Enabled by `ACCOUNT_FORMS = {"login": "members.forms.LoginForm"}` in settings.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Username or email")


class ResetPasswordForm(AllauthResetPasswordForm):
    """The same answer whether or not an address has an account, so that
    nobody learns who belongs to the community by typing addresses. (An
    unknown address is sent a note saying no account uses it.)"""

    def clean_email(self) -> str:
        try:
            return super().clean_email()
        except forms.ValidationError:  # "unknown email": answered like a known one
            return self.cleaned_data["email"]
