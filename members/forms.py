"""Forms of the members pages. They only parse input; services decide."""

from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from governance.selectors import bylaws_entry
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


BYLAWS_CHANGED = _(
    "The bylaws changed while you were signing up. Read them again, then tick the box."
)


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, where the applicant also accepts the bylaws in force.

    The form carries the journal entry that put in force the bylaws it links
    to (`bylaws_entry`), so that the application records exactly what the
    person was shown (`members.services.apply_for_membership`). Enabled by
    `ACCOUNT_FORMS = {"signup": "members.forms.SignupForm"}` in settings."""

    accept_bylaws = forms.BooleanField(
        label=_("I have read the bylaws in force and I accept them."),
        required=True,
        error_messages={"required": _("Tick the box to accept the bylaws, after reading them.")},
    )
    bylaws_entry = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    # The box comes last, after the account's fields (allauth adds the
    # passwords after the declared fields).
    field_order = ["username", "email", "password1", "password2", "accept_bylaws"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bylaws_entry"].initial = bylaws_entry()
        self.fields["accept_bylaws"].help_text = format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("governance:bylaws"),
            _("Read the bylaws (opens in a new tab)"),
        )

    def clean(self):
        cleaned = super().clean()
        shown, now = cleaned.get("bylaws_entry"), bylaws_entry()
        if shown is not None and shown != now:
            # Shown again with the bylaws in force now, to be read and accepted anew.
            self.data = self.data.copy()
            self.data[self.add_prefix("bylaws_entry")] = str(now)
            self.data.pop(self.add_prefix("accept_bylaws"), None)
            self.add_error("accept_bylaws", BYLAWS_CHANGED)
        return cleaned


class ResetPasswordForm(AllauthResetPasswordForm):
    """The same answer whether or not an address has an account, so that
    nobody learns who belongs to the community by typing addresses. (An
    unknown address is sent a note saying no account uses it.)"""

    def clean_email(self) -> str:
        try:
            return super().clean_email()
        except forms.ValidationError:  # "unknown email": answered like a known one
            return self.cleaned_data["email"]
