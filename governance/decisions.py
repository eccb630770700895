"""How a vote's outcome follows from its tally and its frozen rule.

Pure functions: the same code decides the outcome when voting closes and
explains it on every results page, so the explanation cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext as _

from governance.parameters import DecisionRule, GovernanceParameters


@dataclass(frozen=True)
class Outcome:
    state: str  # "passed", "rejected" or "failed_quorum"
    yes: int
    no: int
    abstain: int
    electorate: int
    turnout_met: bool
    threshold_met: bool
    explanation: str

    @property
    def ballots(self) -> int:
        return self.yes + self.no + self.abstain


def _pct(value: Fraction) -> str:
    return f"{round(float(value) * 100)} %"


def _frac(pair) -> str:
    num, den = pair
    return "1/2" if (num, den) == (1, 2) else f"{num}/{den}"


def decide(*, rule: DecisionRule, yes: int, no: int, abstain: int, electorate: int) -> Outcome:
    ballots = yes + no + abstain
    turnout = Fraction(ballots, electorate) if electorate else Fraction(0)
    turnout_met = rule.meets_quorum(ballots, electorate)
    threshold_met = rule.passes_threshold(yes, no)
    share = Fraction(yes, yes + no) if yes + no else Fraction(0)

    if rule.threshold_inclusive:
        comparison_ok, comparison_ko = "≥", "<"
        threshold_text = _frac(rule.threshold)
    else:
        comparison_ok, comparison_ko = ">", "≤"
        threshold_text = _frac(rule.threshold)
    share_text = _("%(share)s yes of yes+no %(comparison)s %(threshold)s") % {
        "share": _pct(share),
        "comparison": comparison_ok if threshold_met else comparison_ko,
        "threshold": threshold_text,
    }
    turnout_text = _(
        "turnout %(turnout)s %(comparison)s %(quorum)s (%(ballots)s of %(electorate)s)"
    ) % {
        "turnout": _pct(turnout),
        "comparison": "≥" if turnout_met else "<",
        "quorum": _frac(rule.quorum),
        "ballots": ballots,
        "electorate": electorate,
    }
    if not turnout_met:
        state = "failed_quorum"
        explanation = _("failed quorum: %(turnout)s; %(share)s")
    elif threshold_met:
        state = "passed"
        explanation = _("passed: %(share)s; %(turnout)s")
    else:
        state = "rejected"
        explanation = _("rejected: %(share)s; %(turnout)s")
    explanation = explanation % {"share": share_text, "turnout": turnout_text}
    return Outcome(
        state=state,
        yes=yes,
        no=no,
        abstain=abstain,
        electorate=electorate,
        turnout_met=turnout_met,
        threshold_met=threshold_met,
        explanation=explanation,
    )


def decide_for(*, rules_json: dict, decision_class: str, **counts) -> Outcome:
    rule = GovernanceParameters.from_json(rules_json).rule_for(decision_class)
    return decide(rule=rule, **counts)
