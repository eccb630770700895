"""The machine-readable rules of decision, kept in the entrenched
`decision-rules` article. A proposal freezes a copy at submission.

Fractions are stored as [numerator, denominator] so that thresholds are exact
(no float rounding decides a vote).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from governance.models import DecisionClass
from kernel.errors import InvalidInput
from kernel.money import record_cents

PARAMETERS_ARTICLE = "decision-rules"


class Admission(StrEnum):
    OPEN = "open"  # anyone who signs up and confirms their email
    APPROVAL = "approval"  # a steward admits each applicant


class BallotSecrecy(StrEnum):
    ROLL_CALL = "roll_call"  # who voted what is published after the close
    SECRET = "secret"  # noqa: S105 - only receipts' hashes are published


class AppointmentRule(StrEnum):
    VOTE = "vote"  # roles are appointed and removed by vote


DECISION_CLASSES = tuple(DecisionClass.values)


@dataclass(frozen=True)
class DecisionRule:
    # share of yes among yes+no that is required...
    threshold: tuple[int, int]
    # ...and whether reaching it exactly is enough (3/4 → "at least"),
    # or yes must exceed it (1/2 → "more yes than no").
    threshold_inclusive: bool
    # turnout (ballots incl. abstentions / electorate) that must be reached
    quorum: tuple[int, int]

    def passes_threshold(self, yes: int, no: int) -> bool:
        if yes + no == 0:
            return False
        share = Fraction(yes, yes + no)
        needed = Fraction(*self.threshold)
        return share >= needed if self.threshold_inclusive else share > needed

    def meets_quorum(self, ballots: int, electorate: int) -> bool:
        if electorate == 0:
            return False
        return Fraction(ballots, electorate) >= Fraction(*self.quorum)


@dataclass(frozen=True)
class GovernanceParameters:
    rules: dict[str, DecisionRule] = field(
        default_factory=lambda: {
            DecisionClass.ORDINARY: DecisionRule(
                threshold=(1, 2), threshold_inclusive=False, quorum=(1, 10)
            ),
            DecisionClass.BUDGET: DecisionRule(
                threshold=(1, 2), threshold_inclusive=False, quorum=(1, 10)
            ),
            DecisionClass.ENTRENCHED: DecisionRule(
                threshold=(3, 4), threshold_inclusive=True, quorum=(1, 3)
            ),
        }
    )
    discussion_days: int = 7
    notice_days: int = 14
    voting_days: int = 14
    timelock_days: int = 7
    min_tenure_days: int = 30
    second_approval_above_cents: int = 50_000
    appointment_rule: str = AppointmentRule.VOTE
    admission: str = Admission.OPEN
    ballot_secrecy: str = BallotSecrecy.ROLL_CALL
    tally_visible_during_vote: bool = True
    debate_posts_per_minute: int = 10

    def rule_for(self, decision_class: str) -> DecisionRule:
        return self.rules[decision_class]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["rules"] = {
            name: {
                "threshold": list(rule.threshold),
                "threshold_inclusive": rule.threshold_inclusive,
                "quorum": list(rule.quorum),
            }
            for name, rule in self.rules.items()
        }
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GovernanceParameters:
        """Parse and validate; raises InvalidInput naming the bad field."""
        if not isinstance(data, dict):
            raise InvalidInput("Decision rules must be a JSON object.")
        defaults = cls()
        known = set(defaults.to_json())
        unknown = set(data) - known
        if unknown:
            raise InvalidInput(f"Unknown decision-rule fields: {', '.join(sorted(unknown))}.")
        rules = {}
        raw_rules = data.get("rules", defaults.to_json()["rules"])
        for name in DECISION_CLASSES:
            raw = raw_rules.get(name) if isinstance(raw_rules, dict) else None
            if not isinstance(raw, dict):
                raise InvalidInput(f"Decision rules need a rule for '{name}' decisions.")
            rules[name] = DecisionRule(
                threshold=_fraction(raw.get("threshold"), f"{name}.threshold"),
                threshold_inclusive=_bool(
                    raw.get("threshold_inclusive"), f"{name}.threshold_inclusive"
                ),
                quorum=_fraction(raw.get("quorum"), f"{name}.quorum", allow_zero=True),
            )
        values: dict[str, Any] = {"rules": rules}
        for name in (
            "discussion_days",
            "notice_days",
            "voting_days",
            "timelock_days",
            "min_tenure_days",
            "second_approval_above_cents",
            "debate_posts_per_minute",
        ):
            value = data.get(name, getattr(defaults, name))
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidInput(
                    _("'%(name)s' must be a whole number of at least 0.") % {"name": name},
                    field=name,
                    field_message=_("A whole number of at least 0."),
                )
            values[name] = value
        if values["voting_days"] < 1:
            raise InvalidInput(
                _("'%(name)s' must be at least 1.") % {"name": "voting_days"},
                field="voting_days",
                field_message=_("At least 1."),
            )
        choices = {
            "appointment_rule": tuple(AppointmentRule),
            "admission": tuple(Admission),
            "ballot_secrecy": tuple(BallotSecrecy),
        }
        for name, allowed in choices.items():
            value = data.get(name, getattr(defaults, name))
            if value not in allowed:
                raise InvalidInput(
                    _("'%(name)s' must be one of: %(allowed)s.")
                    % {"name": name, "allowed": ", ".join(allowed)},
                    field=name,
                )
            values[name] = value
        values["tally_visible_during_vote"] = _bool(
            data.get("tally_visible_during_vote", defaults.tally_visible_during_vote),
            "tally_visible_during_vote",
        )
        return cls(**values)

    def weakens_entrenchment(self, other: GovernanceParameters) -> bool:
        """True when `other` would make entrenched changes easier than `self`."""
        mine, theirs = self.rules[DecisionClass.ENTRENCHED], other.rules[DecisionClass.ENTRENCHED]
        return (
            Fraction(*theirs.threshold) < Fraction(*mine.threshold)
            or Fraction(*theirs.quorum) < Fraction(*mine.quorum)
            or (mine.threshold_inclusive is False and theirs.threshold_inclusive is True)
            or other.notice_days < self.notice_days
        )


def _fraction(value, name, *, allow_zero=False) -> tuple[int, int]:
    ok = (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    )
    if not ok or value[1] <= 0 or value[0] < 0 or value[0] > value[1]:
        raise InvalidInput(
            _("'%(name)s' must be a fraction [numerator, denominator] between 0 and 1.")
            % {"name": name},
            field=_field(name),
        )
    if value[0] == 0 and not allow_zero:
        raise InvalidInput(
            _("'%(name)s' must be greater than 0.") % {"name": name},
            field=_field(name),
            field_message=_("More than 0."),
        )
    return (value[0], value[1])


def _field(name: str) -> str:
    """'ordinary.threshold' → the amendment form's 'rules__ordinary__threshold';
    a top-level name stays as it is."""
    return "rules__" + name.replace(".", "__") if "." in name else name


def _bool(value, name) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(
            _("'%(name)s' must be true or false.") % {"name": name}, field=_field(name)
        )
    return value


def describe(parameters: GovernanceParameters) -> str:
    """The human-readable text of the decision-rules article."""

    def pct(frac):
        num, den = frac
        return f"{num}/{den} ({float(Fraction(num, den)) * 100:.4g} %)"

    lines = ["The community decides by vote under these rules:", ""]
    labels = {
        DecisionClass.ORDINARY: "Ordinary decisions (motions, ordinary bylaws, appointments)",
        DecisionClass.BUDGET: "Budgets",
        DecisionClass.ENTRENCHED: "Legal-structure changes (entrenched articles and these rules)",
    }
    for name in DECISION_CLASSES:
        rule = parameters.rules[name]
        comparison = "at least" if rule.threshold_inclusive else "more than"
        lines.append(
            f"- {labels[name]}: pass with {comparison} {pct(rule.threshold)} yes among yes and no, "
            f"with a turnout of at least {pct(rule.quorum)} of the electorate."
        )
    p = parameters
    lines += [
        f"- Discussion lasts {p.discussion_days} days before voting.",
        f"- A legal-structure change is frozen and announced to every member {p.notice_days} "
        "days before voting opens.",
        f"- Voting lasts {p.voting_days} days.",
        f"- A passed proposal is enacted {p.timelock_days} days after the vote closes.",
        f"- Members may vote once they have been members for {p.min_tenure_days} days.",
        f"- Expenses above {record_cents(p.second_approval_above_cents)} need a second approver.",
        "- Stewards, treasurers and auditors are appointed and removed by vote.",
        "- Admission: "
        + (
            "open to anyone who signs up"
            if p.admission == Admission.OPEN
            else "by approval of a steward"
        )
        + ".",
        "- Ballots are "
        + (
            "public after the vote closes (roll-call)"
            if p.ballot_secrecy == "roll_call"
            else "secret, with a receipt for each voter"
        )
        + ".",
        f"- Running tallies are {'visible' if p.tally_visible_during_vote else 'hidden'} "
        "during the vote.",
        f"- A member may post at most {p.debate_posts_per_minute} debate messages a minute.",
    ]
    return "\n".join(lines)


# --- Parameters of other articles, declared by the apps they govern --------------------------
#
# The decision rules above are governance's own. A higher app (contributions:
# what an hour given is worth) may keep its own rules in one article of the
# bylaws, changed like any article by a passed amendment. It declares the
# article here from its `AppConfig.ready`, with the defaults in force until
# the community adopts the article, how to validate a proposed value and how
# to write the article's text from it; governance never imports that app.


@dataclass(frozen=True)
class ArticleParameters:
    """The machine-readable parameters of one article, declared by the app
    that reads them.

    ``validate(data)`` returns the normalised JSON object or raises
    InvalidInput naming the bad field; ``describe(values)`` returns the
    article's text (derived from the values, as for the decision rules);
    ``defaults()`` is the JSON object in force before any version exists;
    ``fields`` name each value for the amendment form
    (`governance.parameter_fields.ParameterField`)."""

    slug: str
    title: str
    defaults: Callable[[], dict[str, Any]]
    validate: Callable[[Any], dict[str, Any]]
    describe: Callable[[dict[str, Any]], str]
    fields: tuple = ()


_ARTICLES: dict[str, ArticleParameters] = {}


def register_article(article: ArticleParameters) -> ArticleParameters:
    """Declare an article that carries parameters (once per slug; the
    decision rules are governance's own and cannot be redeclared)."""
    if article.slug == PARAMETERS_ARTICLE:
        raise ValueError(f"{PARAMETERS_ARTICLE!r} is governance's own article")
    known = _ARTICLES.get(article.slug)
    if known is not None and known != article:
        raise ValueError(f"the article {article.slug!r} is already declared")
    _ARTICLES[article.slug] = article
    return article


def article_parameters(slug: str) -> ArticleParameters | None:
    """The declaration of the article ``slug``, or None if it carries none."""
    return _ARTICLES.get(slug)


def validate_values(slug: str, data: Any) -> dict[str, Any]:
    """The values of an article that carries them, checked by that article's
    rules: the decision rules' own, or those its app declared. InvalidInput
    names the value it refuses (`field`, as the amendment form names it)."""
    if slug == PARAMETERS_ARTICLE:
        return GovernanceParameters.from_json(data).to_json()
    declared = article_parameters(slug)
    if declared is None:
        raise InvalidInput(_("This article carries no values."))
    return declared.validate(data)


def declared_articles() -> list[ArticleParameters]:
    return sorted(_ARTICLES.values(), key=lambda a: a.slug)
