"""The values of an article that carries parameters, as a person edits them:
each value's place in the article's JSON, its label and its kind. The
amendment form on the site (proposals/forms.py) is built from these; the
values are then checked by the article's own validation (the decision
rules' `GovernanceParameters.from_json`, or the declaring app's
`validate`), as for an amendment sent through the API.

Kinds: ``integer``; ``boolean``; ``fraction``, written "3/4" and stored as
[3, 4]; ``choice`` among ``choices``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from governance.models import DecisionClass
from governance.parameters import (
    PARAMETERS_ARTICLE,
    Admission,
    BallotSecrecy,
    article_parameters,
)

INTEGER, BOOLEAN, FRACTION, CHOICE = "integer", "boolean", "fraction", "choice"


@dataclass(frozen=True)
class ParameterField:
    path: tuple[str, ...]
    label: str
    kind: str
    choices: tuple[tuple[str, str], ...] = ()
    help_text: str = ""

    @property
    def name(self) -> str:
        """The form field's name: the path, joined."""
        return "__".join(self.path)


def _rule_fields(decision_class: str, label) -> tuple[ParameterField, ...]:
    # Labels stay lazy (format_lazy): they are read in each reader's language.
    return (
        ParameterField(
            ("rules", decision_class, "threshold"),
            format_lazy(_("{decisions}: share of yes among yes and no"), decisions=label),
            FRACTION,
            help_text=_("A fraction, like 1/2 or 3/4."),
        ),
        ParameterField(
            ("rules", decision_class, "threshold_inclusive"),
            format_lazy(_("{decisions}: reaching the share exactly is enough"), decisions=label),
            BOOLEAN,
            help_text=_("Unticked: yes must exceed the share (for 1/2: more yes than no)."),
        ),
        ParameterField(
            ("rules", decision_class, "quorum"),
            format_lazy(_("{decisions}: share of the electorate that must vote"), decisions=label),
            FRACTION,
            help_text=_("A fraction, like 1/10. Abstentions count as voting."),
        ),
    )


DECISION_RULE_FIELDS: tuple[ParameterField, ...] = (
    *_rule_fields(DecisionClass.ORDINARY, _("Ordinary decisions")),
    *_rule_fields(DecisionClass.BUDGET, _("Budgets")),
    *_rule_fields(DecisionClass.ENTRENCHED, _("Legal-structure changes")),
    ParameterField(("discussion_days",), _("Days of discussion before a vote"), INTEGER),
    ParameterField(
        ("notice_days",), _("Days of notice before a legal-structure vote opens"), INTEGER
    ),
    ParameterField(("voting_days",), _("Days a vote stays open"), INTEGER),
    ParameterField(("timelock_days",), _("Days between a passed vote and its effect"), INTEGER),
    ParameterField(("min_tenure_days",), _("Days of membership before one may vote"), INTEGER),
    ParameterField(
        ("second_approval_above_cents",),
        _("Expenses above this amount, in cents, need a second approver"),
        INTEGER,
    ),
    ParameterField(
        ("admission",),
        _("Admission"),
        CHOICE,
        choices=(
            (Admission.OPEN, _("Open: confirming one's email is enough")),
            (Admission.APPROVAL, _("By approval: a steward admits each applicant")),
        ),
    ),
    ParameterField(
        ("ballot_secrecy",),
        _("Ballots"),
        CHOICE,
        choices=(
            (BallotSecrecy.ROLL_CALL, _("Roll call: who voted what is published after the close")),
            (BallotSecrecy.SECRET, _("Secret: only receipts are published")),
        ),
    ),
    ParameterField(
        ("tally_visible_during_vote",), _("The running tally is shown during a vote"), BOOLEAN
    ),
    ParameterField(
        ("debate_posts_per_minute",), _("Debate messages a member may post a minute"), INTEGER
    ),
)


def fields_of(slug: str) -> tuple[ParameterField, ...]:
    """The editable values of the article ``slug``; empty for an article of
    text only."""
    if slug == PARAMETERS_ARTICLE:
        return DECISION_RULE_FIELDS
    declared = article_parameters(slug)
    return declared.fields if declared is not None else ()


def value_at(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def with_values(base: dict[str, Any], values: dict[tuple[str, ...], Any]) -> dict[str, Any]:
    """``base`` (the values in force) with ``values`` set at their paths, so
    that a value the form does not show keeps what is in force."""
    result = copy.deepcopy(base)
    for path, value in values.items():
        target = result
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value
    return result
