"""Forms of the treasurer, approver and auditor pages. They only parse input;
the rules are in `treasury.services` and `treasury.permissions`."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.errors import InvalidInput
from kernel.money import currency
from treasury.chart_of_accounts import GENERAL_FUND_SLUG
from treasury.models import PaymentMethod, TransactionKind
from treasury.money import parse_amount
from treasury.selectors import budget_lines, fund_choices

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AmountField(forms.CharField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "help_text", _("In %(currency)s, for example 12.50") % {"currency": currency()}
        )
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return 0
        try:
            return parse_amount(value)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from exc


def _not_future(value):
    if value and value > timezone.now().date():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return value


class IncomeForm(forms.Form):
    amount = AmountField(label=_("Amount"))
    date = forms.DateField(label=_("Date received"), widget=DATE_WIDGET)
    method = forms.ChoiceField(label=_("Received by"), choices=PaymentMethod.choices)
    fund = forms.ChoiceField(label=_("Fund"))
    counterparty = forms.CharField(
        label=_("From (name)"),
        max_length=200,
        required=False,
        help_text=_("The donor, member or funder."),
    )
    is_counterparty_public = forms.BooleanField(
        label=_("Show this name publicly"),
        required=False,
        help_text=_("Only if they agreed; otherwise the public treasury shows “anonymous”."),
    )
    external_reference = forms.CharField(
        label=_("External reference"),
        max_length=120,
        required=False,
        help_text=_("The bank or payment platform's reference; it prevents recording twice."),
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    fee = AmountField(
        label=_("Platform fee withheld"),
        required=False,
        help_text=_("For crowdfunding or card payments: the fee is recorded as its own expense."),
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["fund"].choices = fund_choices()
        self.fields["fund"].initial = GENERAL_FUND_SLUG
        self.fields["date"].initial = timezone.now().date()
        if kind not in (TransactionKind.CROWDFUNDING, TransactionKind.DONATION):
            del self.fields["fee"]

    def clean_date(self):
        return _not_future(self.cleaned_data["date"])


class ImportForm(forms.Form):
    statement = forms.FileField(
        label=_("Bank statement (CSV)"),
        help_text=_(
            "A header row with the columns date, amount, reference, and optionally description, "
            "kind (donation, dues, grant, crowdfunding, patronage) and counterparty."
        ),
    )
    method = forms.ChoiceField(
        label=_("Account"), choices=PaymentMethod.choices, initial=PaymentMethod.BANK
    )
    fund = forms.ChoiceField(label=_("Fund"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = fund_choices()
        self.fields["fund"].initial = GENERAL_FUND_SLUG


class ImportConfirmForm(forms.Form):
    content = forms.CharField(widget=forms.HiddenInput, strip=False)
    method = forms.ChoiceField(choices=PaymentMethod.choices, widget=forms.HiddenInput)
    fund = forms.CharField(widget=forms.HiddenInput)


class ExpenseForm(forms.Form):
    budget_line = forms.TypedChoiceField(label=_("Budget line"), coerce=int)
    amount = AmountField(label=_("Amount"))
    date = forms.DateField(label=_("Date paid"), widget=DATE_WIDGET)
    description = forms.CharField(label=_("What was bought"), max_length=300)
    payee = forms.CharField(label=_("Paid to"), max_length=200)
    method = forms.ChoiceField(label=_("Paid by"), choices=PaymentMethod.choices)
    receipt = forms.FileField(
        label=_("Receipt"), help_text=_("PDF, PNG, JPEG or text, at most 10 MB.")
    )
    receipt_is_public = forms.BooleanField(
        label=_("Publish the receipt"),
        required=False,
        initial=True,
        help_text=_("Uncheck only if it holds personal data, and say why below."),
    )
    withheld_reason = forms.CharField(
        label=_("Public reason for withholding the receipt"), max_length=500, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].choices = [
            (
                s.line.pk,
                _("%(purpose)s (proposal #%(proposal)s)")
                % {"purpose": s.line.purpose, "proposal": s.line.proposal_id},
            )
            for s in budget_lines()
        ]
        self.fields["date"].initial = timezone.now().date()

    def clean_date(self):
        return _not_future(self.cleaned_data["date"])


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class FundForm(forms.Form):
    slug = forms.SlugField(label=_("Short name"), max_length=64, help_text=_("e.g. youth-fund"))
    name = forms.CharField(label=_("Name"), max_length=200)
    is_restricted = forms.BooleanField(label=_("Restricted to one purpose"), required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=500, required=False)


class AttestationForm(forms.Form):
    period_start = forms.DateField(label=_("First day of the period"), widget=DATE_WIDGET)
    period_end = forms.DateField(label=_("Last day of the period"), widget=DATE_WIDGET)
    ledger_head_seq = forms.IntegerField(
        label=_("Verified ledger head: sequence number"), min_value=1
    )
    ledger_head_hash = forms.RegexField(
        label=_("Verified ledger head: hash"),
        regex=r"^[0-9a-fA-F]{64}$",
        max_length=64,
        help_text=_("As printed by “python chain.py verify”."),
    )
    statement = forms.CharField(
        label=_("Statement"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return data


INCOME_LABELS = {
    TransactionKind.DONATION: _("Record a donation"),
    TransactionKind.DUES: _("Record membership dues"),
    TransactionKind.GRANT: _("Record a grant"),
    TransactionKind.CROWDFUNDING: _("Record crowdfunding income"),
    TransactionKind.PATRONAGE: _("Record patronage"),
}
