"""Each decision rule at its boundary, as a member would check it by hand."""

import pytest

from governance.decisions import decide
from governance.parameters import GovernanceParameters

RULES = GovernanceParameters().rules


def outcome(decision_class, *, yes, no, abstain=0, electorate=100):
    return decide(
        rule=RULES[decision_class], yes=yes, no=no, abstain=abstain, electorate=electorate
    )


@pytest.mark.parametrize("decision_class", ["ordinary", "budget"])
def test_ordinary_and_budget_need_more_yes_than_no(decision_class):
    assert outcome(decision_class, yes=6, no=5).state == "passed"
    tie = outcome(decision_class, yes=5, no=5, abstain=1)
    assert tie.state == "rejected"
    assert tie.explanation.startswith("rejected: 50 % yes of yes+no ≤ 1/2")


@pytest.mark.parametrize("decision_class", ["ordinary", "budget"])
def test_ordinary_quorum_is_a_tenth_of_the_electorate(decision_class):
    assert outcome(decision_class, yes=10, no=0, electorate=100).state == "passed"
    short = outcome(decision_class, yes=9, no=0, electorate=100)
    assert short.state == "failed_quorum"
    assert "turnout 9 % < 1/10 (9 of 100)" in short.explanation


def test_abstentions_count_for_turnout_but_not_for_the_threshold():
    result = outcome("ordinary", yes=1, no=0, abstain=9, electorate=100)
    assert result.state == "passed"
    assert result.turnout_met and result.threshold_met


def test_entrenched_change_passes_at_exactly_three_quarters():
    exact = outcome("entrenched", yes=30, no=10, electorate=100)
    assert exact.state == "passed"
    assert exact.explanation == ("passed: 75 % yes of yes+no ≥ 3/4; turnout 40 % ≥ 1/3 (40 of 100)")
    assert outcome("entrenched", yes=29, no=10, electorate=100).state == "rejected"


def test_entrenched_quorum_is_a_third_of_the_electorate():
    assert outcome("entrenched", yes=34, no=0, electorate=102).state == "passed"
    assert outcome("entrenched", yes=33, no=0, electorate=100).state == "failed_quorum"


def test_no_ballots_and_empty_electorates_never_pass():
    assert outcome("ordinary", yes=0, no=0, electorate=0).state == "failed_quorum"
    assert outcome("ordinary", yes=0, no=0, abstain=20, electorate=100).state == "rejected"


def test_weakening_the_entrenched_rule_is_detected():
    current = GovernanceParameters()
    weaker = GovernanceParameters.from_json(
        {
            **current.to_json(),
            "rules": {
                **current.to_json()["rules"],
                "entrenched": {"threshold": [2, 3], "threshold_inclusive": True, "quorum": [1, 3]},
            },
        }
    )
    assert current.weakens_entrenchment(weaker)
    assert not current.weakens_entrenchment(current)


def test_the_rules_text_names_the_currency_of_the_four_eyes_threshold():
    from governance.parameters import describe

    text = describe(GovernanceParameters(second_approval_above_cents=50_000))
    assert "- Expenses above 500.00 EUR need a second approver." in text
