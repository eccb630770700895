"""The guard builder and the guard clock.

- Guards fail closed: a condition that comes out NULL refuses.
- `install` replaces whatever triggers the database holds with the code's.
- Rules that exist both in Python and in the guards' SQL give the same
  answers: the outcome of a vote, and the class of decision a proposal needs.
- In production the guards read the database's clock; the application cannot
  move it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core import checks
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.decisions import decide
from governance.parameters import DecisionRule
from kernel import clock, guards
from kernel.guards import Dialect, Guard, Rule, TriggerSet, render
from proposals import triggers as proposal_triggers
from proposals.decision import required_decision_class
from tests.proposals.helpers import draft

pytestmark = pytest.mark.django_db


def dialect() -> Dialect:
    return guards.dialect_for(connection)


def evaluate(expression: str, new: dict):
    """Evaluate a guard's SQL expression with NEW bound to the given columns."""
    columns = []
    params = []
    for name, value in new.items():
        if isinstance(value, dict):
            value = json.dumps(value)
            cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
        else:
            cast = "%s"
        columns.append(f"{cast} AS {name}")
        params.append(value)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {expression} FROM (SELECT {', '.join(columns)}) AS NEW", params)
        return cursor.fetchone()[0]


fractions = st.tuples(st.integers(0, 20), st.integers(1, 20)).filter(lambda f: f[0] <= f[1])


@settings(max_examples=150, deadline=None)
@given(
    yes=st.integers(0, 60),
    no=st.integers(0, 60),
    abstain=st.integers(0, 60),
    electorate=st.integers(0, 200),
    threshold=fractions.filter(lambda f: f[0] > 0),
    inclusive=st.booleans(),
    quorum=fractions,
)
def test_the_guard_decides_votes_exactly_as_the_application(
    yes, no, abstain, electorate, threshold, inclusive, quorum
):
    rule = DecisionRule(threshold=threshold, threshold_inclusive=inclusive, quorum=quorum)
    expected = decide(rule=rule, yes=yes, no=no, abstain=abstain, electorate=electorate).state
    rules = {
        "rules": {
            "ordinary": {
                "threshold": list(threshold),
                "threshold_inclusive": inclusive,
                "quorum": list(quorum),
            }
        }
    }
    new = {
        "rules": rules,
        "decision_class": "ordinary",
        "yes_count": yes,
        "no_count": no,
        "abstain_count": abstain,
        "electorate_size": electorate,
    }
    assert evaluate(proposal_triggers.outcome(dialect()), new) == expected


@pytest.mark.parametrize(
    ("kind", "amendments"),
    [
        ("motion", []),
        ("budget", []),
        ("appointment", []),
        ("amendment", [("dues", "ordinary")]),
        ("amendment", [("dues", "entrenched")]),
        ("amendment", [("legal-form", "entrenched")]),
        ("amendment", [("legal-form", "ordinary")]),
        ("amendment", [("a-new-article", "ordinary")]),
        ("amendment", [("dues", "ordinary"), ("purpose", "entrenched")]),
    ],
)
def test_the_guard_requires_the_same_class_as_the_application(community, kind, amendments):
    contents = {
        "motion": {},
        "budget": {"budget_items": [{"purpose": "Chairs", "amount_cents": 100}]},
        "appointment": {"appointments": [{"member": "ada", "role": "steward", "action": "grant"}]},
        "amendment": {
            "amendments": [
                {"article_slug": s, "new_title": s.title(), "new_class": c, "new_text": "New."}
                for s, c in amendments
            ]
        },
    }[kind]
    proposal = draft(community["alice"], kind=kind, **contents)
    expected = required_decision_class(
        kind=kind, amendments=[{"article_slug": s, "new_class": c} for s, c in amendments]
    )
    required = proposal_triggers.required_class(dialect())
    assert evaluate(required, {"id": proposal.pk, "kind": kind}) == expected


def test_the_decision_rules_always_need_a_legal_structure_decision(community):
    from governance.parameters import PARAMETERS_ARTICLE, GovernanceParameters

    proposal = draft(
        community["alice"],
        kind="amendment",
        amendments=[
            {
                "article_slug": PARAMETERS_ARTICLE,
                "new_title": "Decision rules",
                "new_class": "entrenched",
                "new_parameters": {**GovernanceParameters().to_json(), "voting_days": 21},
            }
        ],
    )
    required = proposal_triggers.required_class(dialect())
    assert evaluate(required, {"id": proposal.pk, "kind": "amendment"}) == "entrenched"


@pytest.fixture
def scratch_table():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE scratch_guarded (id integer PRIMARY KEY, amount integer)")
    return "scratch_guarded"


def test_a_condition_that_comes_out_null_refuses(scratch_table):
    guard = Guard(scratch_table, "INSERT", (Rule("scratch guard: negative", "NEW.amount < 0"),))
    with connection.cursor() as cursor:
        for statement in render(guard, dialect()):
            cursor.execute(statement)
        cursor.execute(f"INSERT INTO {scratch_table} VALUES (1, 5)")
        with pytest.raises(IntegrityError, match="scratch guard: negative"), transaction.atomic():
            cursor.execute(f"INSERT INTO {scratch_table} VALUES (2, NULL)")
        cursor.execute(f"SELECT COUNT(*) FROM {scratch_table}")
        assert cursor.fetchone()[0] == 1


def test_install_replaces_triggers_of_earlier_versions(scratch_table):
    old = TriggerSet(append_only={scratch_table: "scratch guard: old"})
    with connection.cursor() as cursor:
        for guard in old.all_guards():
            for statement in render(guard, dialect()):
                cursor.execute(statement)
    guards.install(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {scratch_table} VALUES (1, 5)")
        cursor.execute(f"UPDATE {scratch_table} SET amount = 6")  # the old guard is gone
        cursor.execute(f"SELECT amount FROM {scratch_table}")
        assert cursor.fetchone()[0] == 6


def test_install_twice_leaves_one_copy_of_each_guard():
    guards.install(connection)
    guards.install(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
            )
        names = [row[0] for row in cursor.fetchall()]
    assert len(names) == len(set(names)) > 50


def test_the_guard_clock_follows_time_machine_in_tests(time_machine):
    moment = timezone.now() - timedelta(days=400)
    time_machine.move_to(moment, tick=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT commons_now()")
        value = cursor.fetchone()[0]
    if isinstance(value, str):  # SQLite: Django's storage format, naive UTC
        value = datetime.fromisoformat(value).replace(tzinfo=UTC)
    assert abs(value - moment) < timedelta(seconds=1)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_in_production_the_application_cannot_move_the_guard_clock():
    """With the default clock, commons_now() is the server's now(): the
    session setting the test suite uses changes nothing."""
    with override_settings(GUARD_CLOCK=clock.DATABASE):
        guards.install(connection)
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('commons.now', '2001-01-01T00:00:00Z', false)")
            cursor.execute("SELECT commons_now(), statement_timestamp()")
            guard_now, database_now = cursor.fetchone()
    guards.install(connection)
    assert guard_now == database_now


def test_check_deploy_refuses_the_application_clock():
    with override_settings(GUARD_CLOCK=clock.APPLICATION):
        errors = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "kernel.E001" in [e.id for e in errors]
    with override_settings(GUARD_CLOCK=clock.DATABASE):
        errors = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    assert "kernel.E001" not in [e.id for e in errors]
