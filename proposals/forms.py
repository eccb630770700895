"""Forms only parse input; the rules live in proposals/services.py."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.parameter_fields import BOOLEAN, CHOICE, FRACTION, INTEGER, value_at, with_values
from kernel.errors import InvalidInput
from members.roles import APPOINTED_ROLES
from proposals.models import MAX_BODY_CHARS, MAX_TITLE_CHARS, Choice


class ProposalTextForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE_CHARS)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=MAX_BODY_CHARS,
        help_text=_("What the community decides, and why. Markdown is allowed."),
    )


class AmendmentForm(forms.Form):
    # Chosen before the text, with the page's one article picker (the article
    # page's "propose a change" link chooses it too); carried here as is.
    article_slug = forms.ChoiceField(label=_("Article to amend"), widget=forms.HiddenInput)
    new_title = forms.CharField(label=_("New title of the article"), max_length=200)
    new_class = forms.ChoiceField(
        label=_("Class of the article"),
        # No default: demoting an entrenched article must be a deliberate choice.
        choices=[
            ("", _("— choose —")),
            ("ordinary", _("Ordinary")),
            ("entrenched", _("Entrenched (legal structure)")),
        ],
        help_text=_(
            "Entrenched articles change only by a legal-structure decision: notice to every "
            "member, at least 3/4 yes and a third of the electorate voting."
        ),
    )
    new_text = forms.CharField(
        label=_("New text of the article"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_BODY_CHARS,
    )

    def __init__(self, *args, articles=(), text_from_values=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["article_slug"].choices = [
            (v.article.slug, f"{v.title} ({v.get_article_class_display()})") for v in articles
        ]
        if text_from_values:
            # The article's text is written from its values (ParametersForm).
            del self.fields["new_text"]


FRACTION_TEXT = re.compile(r"^\s*(\d{1,9})\s*/\s*(\d{1,9})\s*$")


class FractionField(forms.CharField):
    """A share written "3/4", read as [3, 4]."""

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        match = FRACTION_TEXT.match(text)
        if match is None or int(match.group(2)) == 0:
            raise forms.ValidationError(_("Write a fraction, like 1/2 or 3/4."), code="fraction")
        return [int(match.group(1)), int(match.group(2))]

    def prepare_value(self, value):
        if isinstance(value, list | tuple) and len(value) == 2:
            return f"{value[0]}/{value[1]}"
        return value


class ParametersForm(forms.Form):
    """The new values of an article that carries parameters, one field per
    value (`governance.parameter_fields`); the article's own validation
    decides what is allowed when the draft is saved."""

    def __init__(self, *args, parameter_fields=(), values=None, validate=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parameter_fields = tuple(parameter_fields)
        self.values = values or {}
        # The article's own rules (`governance.parameters.validate_values`),
        # run here so that a refused value is shown beside its field.
        self.validate = validate
        for spec in self.parameter_fields:
            initial = value_at(self.values, spec.path)
            if spec.kind == BOOLEAN:
                field = forms.BooleanField(required=False)
            elif spec.kind == INTEGER:
                field = forms.IntegerField(min_value=-(10**15), max_value=10**15)
            elif spec.kind == FRACTION:
                field = FractionField(max_length=21)
            elif spec.kind == CHOICE:
                field = forms.ChoiceField(choices=spec.choices)
            else:
                raise ValueError(f"unknown kind of parameter: {spec.kind}")
            field.label = spec.label
            field.help_text = spec.help_text
            field.initial = initial
            self.fields[spec.name] = field

    def clean(self):
        cleaned = super().clean()
        if self.validate is None or self.errors:
            return cleaned
        try:
            self.validate(self.new_parameters())
        except InvalidInput as error:
            spec = next((s for s in self.parameter_fields if s.name == error.field), None)
            if spec is None:
                raise forms.ValidationError(error.message) from None
            self.add_error(spec.name, error.field_message)
        return cleaned

    def new_parameters(self) -> dict:
        """The values in force, with those of the form in their places."""
        return with_values(
            self.values,
            {spec.path: self.cleaned_data[spec.name] for spec in self.parameter_fields},
        )


class BudgetLineForm(forms.Form):
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    amount = forms.DecimalField(
        label=_("Amount"), min_value=0, max_digits=12, decimal_places=2, localize=True
    )
    fund = forms.ChoiceField(label=_("Fund"))

    def __init__(self, *args, funds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = list(funds)
        if funds:
            # An untouched extra line must not count as filled in.
            self.fields["fund"].initial = funds[0][0]


BudgetLineFormSet = forms.formset_factory(BudgetLineForm, extra=3, max_num=20, min_num=1)


class AppointmentForm(forms.Form):
    member = forms.CharField(label=_("Member (username)"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=[(r.value, r.label) for r in APPOINTED_ROLES])
    action = forms.ChoiceField(
        label=_("Decision"), choices=[("grant", _("Appoint")), ("remove", _("Remove"))]
    )


class BallotForm(forms.Form):
    choice = forms.ChoiceField(label=_("Your ballot"), choices=Choice.choices)


class CoauthorForm(forms.Form):
    username = forms.CharField(label=_("Member to invite (username)"), max_length=150)
