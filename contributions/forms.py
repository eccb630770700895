"""Forms of the marketplace pages. They only parse input (hours as people
write them, amounts, moments); the rules are in `contributions.services`."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from contributions.models import BENEFICIARY_ROLES, MINUTES_PER_DAY, NeedState
from kernel.errors import InvalidInput
from treasury.forms import AmountField
from treasury.models import PaymentMethod
from treasury.selectors import budget_lines

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MOMENT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]
_HOURS = re.compile(r"^\d{1,5}(?:[.,]\d{1,2})?$")
_CLOCK = re.compile(r"^(\d{1,5}):([0-5]\d)$")


def parse_hours(text: str) -> int:
    """What people type for a time given, as whole minutes: "2", "1.5",
    "1,25", "1:20". Refuses what is not a whole number of minutes."""
    raw = (text or "").strip().lower().removesuffix("h").strip()
    clock = _CLOCK.match(raw)
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2))
    if not _HOURS.match(raw):
        raise InvalidInput(
            _("“%(text)s” is not a time: write hours like 2, 1.5 or 1:20.") % {"text": text}
        )
    try:
        minutes = Decimal(raw.replace(",", ".")) * 60
    except InvalidOperation as exc:  # pragma: no cover - the pattern already guards
        raise InvalidInput(_("“%(text)s” is not a time.") % {"text": text}) from exc
    if minutes != minutes.to_integral_value():
        raise InvalidInput(
            _("“%(text)s” is not a whole number of minutes: write 1:20 for one hour twenty.")
            % {"text": text}
        )
    return int(minutes)


def parse_credits(text: str) -> int:
    """ "2.5" credits → 250 hundredths."""
    raw = (text or "").strip().replace(",", ".")
    if not re.match(r"^\d{1,9}(?:\.\d{1,2})?$", raw):
        raise InvalidInput(_("“%(text)s” is not a number of credits, like 2.50.") % {"text": text})
    return int(Decimal(raw) * 100)


class HoursField(forms.CharField):
    def __init__(self, *args, maximum: int | None = None, **kwargs):
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("help_text", _("In hours, for example 2, 1.5 or 1:20."))
        self.maximum = maximum
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        try:
            minutes = parse_hours(value)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc
        if minutes <= 0:
            raise forms.ValidationError(_("The time must be more than zero."))
        if self.maximum is not None and minutes > self.maximum:
            raise forms.ValidationError(_("Nobody gives more than 24 hours in a day."))
        return minutes


class MomentField(forms.DateTimeField):
    widget = MOMENT_WIDGET

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", MOMENT_FORMATS)
        super().__init__(*args, **kwargs)


def _skills_help():
    return _("Separated by commas, for example: childcare, cooking.")


class NeedForm(forms.Form):
    title = forms.CharField(label=_("What is needed"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
        help_text=_("What the work is, and what helpers should know. Markdown is allowed."),
    )
    skills = forms.CharField(
        label=_("Skills wanted"), required=False, max_length=600, help_text=_skills_help
    )
    people_needed = forms.IntegerField(
        label=_("People needed"), min_value=1, max_value=1000, initial=1
    )
    hours = HoursField(label=_("Estimated time, per person"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    is_online = forms.BooleanField(label=_("The work is done online"), required=False)
    starts_at = MomentField(label=_("From"))
    ends_at = MomentField(label=_("Until"))
    deadline = forms.DateField(
        label=_("Answer by"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("The last day to offer help, if there is one."),
    )


class CommunityNeedForm(NeedForm):
    """A need of the community: its authority, the role that receives the
    work and, for paid work, the hourly pay drawn on the budget line."""

    beneficiary_role = forms.ChoiceField(label=_("Received by"), choices=BENEFICIARY_ROLES)
    proposal = forms.IntegerField(
        label=_("Enacted proposal (number)"),
        required=False,
        min_value=1,
        help_text=_("The decision this need carries out, if it is not a budget line."),
    )
    budget_line = forms.TypedChoiceField(
        label=_("Budget line"), required=False, coerce=int, empty_value=None
    )
    hourly_pay = AmountField(
        label=_("Hourly pay"),
        required=False,
        help_text=_("Only for paid work, drawn on the budget line. Leave empty for credits."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].choices = [("", _("None"))] + [
            (status.line.pk, f"#{status.line.pk} {status.line.purpose}")
            for status in budget_lines()
        ]


class OfferForm(forms.Form):
    message = forms.CharField(
        label=_("Your offer"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: I can do 3 hours on Saturday."),
    )


class HoursForm(forms.Form):
    hours = HoursField(label=_("Time given"), maximum=MINUTES_PER_DAY)
    worked_on = forms.DateField(label=_("Day"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[("confirm", _("Confirm the hours")), ("uphold", _("Uphold the refusal"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Public reason"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to uphold a refusal."),
    )


class StandingOfferForm(forms.Form):
    title = forms.CharField(label=_("What you can give"), max_length=200)
    description = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    skills = forms.CharField(
        label=_("Skills"), required=False, max_length=600, help_text=_skills_help
    )
    availability = forms.CharField(
        label=_("How much, how often"),
        max_length=200,
        required=False,
        help_text=_("For example: 4 hours a month."),
    )


class AskForm(forms.Form):
    message = forms.CharField(
        label=_("What you ask for"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    hours = HoursField(label=_("Estimated time"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    is_online = forms.BooleanField(label=_("Online"), required=False)
    starts_at = MomentField(label=_("From"))
    ends_at = MomentField(label=_("Until"))


class ProfileForm(forms.Form):
    skills = forms.CharField(
        label=_("Your skills"), required=False, max_length=600, help_text=_skills_help
    )
    notify_matching_needs = forms.BooleanField(
        label=_("Tell me about new needs that match my skills"),
        required=False,
        help_text=_("On your dashboard and in your daily digest."),
    )
    is_pseudonymous = forms.BooleanField(
        label=_("Show me as “a member” on public pages"),
        required=False,
        help_text=_(
            "The public ledger still verifies: it names accounts by a reference, never by name."
        ),
    )


class ClaimForm(forms.Form):
    credits = forms.CharField(
        label=_("Credits to use"), max_length=14, help_text=_("For example 2.50.")
    )

    def clean_credits(self):
        try:
            return parse_credits(self.cleaned_data["credits"])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc


class DuesForm(forms.Form):
    dues = AmountField(label=_("Dues before the rebate"))
    date = forms.DateField(label=_("Date received"), widget=DATE_WIDGET)
    method = forms.ChoiceField(label=_("Received by"), choices=PaymentMethod.choices)
    external_reference = forms.CharField(label=_("Bank reference"), max_length=120, required=False)


class FilterForm(forms.Form):
    """The marketplace's filters (GET)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    skill = forms.ChoiceField(label=_("Skill"), required=False)
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=100,
        help_text=_("Part of a place, or “online”."),
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any state")), *NeedState.choices],
    )
    # Not named "matches": a form control of that name hides the form's own
    # Element.matches(), and htmx, which calls it on every form, throws.
    mine = forms.BooleanField(label=_("Only needs matching my skills"), required=False)

    def __init__(self, *args, skills=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill"].choices = [("", _("Any skill"))] + [(s.slug, s.name) for s in skills]
