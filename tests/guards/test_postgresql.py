"""Red team, PostgreSQL only: what the application's role (`commons_app`, no
ownership) can do to the guards themselves — disable, drop or replace them,
skip them, truncate around them, move their clock, or feed them other
tables than the real ones."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import DatabaseError, IntegrityError, ProgrammingError, connection
from django.utils import timezone

from governance.models import BylawVersion
from governance.selectors import current_version
from kernel import clock, guards
from members.models import Membership, StandingChange
from proposals.models import Ballot, Proposal
from tests.factories import make_member
from tests.guards.helpers import DAY, held, postgresql_only, raw, rows
from tests.guards.treasury_helpers import forge, line_account
from tests.proposals.helpers import draft
from treasury.models import Account, Posting, Transaction

pytestmark = postgresql_only

APPLICATION_ROLE = "commons_app"
FOUR_EYES_OR_ROLE = "ledger guard"
GUARDED_TABLES = sorted(
    {table for trigger_set in guards.trigger_sets() for table in trigger_set.truncate_messages()}
)


def schema() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return cursor.fetchone()[0]


def count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {schema()}.{table}")
        return cursor.fetchone()[0]


# --- the guards themselves ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE proposals_proposal DISABLE TRIGGER ALL",
        "ALTER TABLE proposals_ballot DISABLE TRIGGER g_proposals_ballot_update",
        "ALTER TABLE governance_bylawversion DISABLE TRIGGER USER",
        "DROP TRIGGER g_proposals_ballot_update ON proposals_ballot",
        "DROP FUNCTION g_governance_bylawversion_update_append_only() CASCADE",
        "CREATE OR REPLACE FUNCTION g_proposals_ballot_update() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        "CREATE OR REPLACE FUNCTION commons_now() RETURNS timestamptz "
        "LANGUAGE sql STABLE AS $$ SELECT now() - interval '400 days' $$",
        "ALTER FUNCTION commons_now() OWNER TO commons_app",
        "CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT 'epoch' $$",
        "SET session_replication_role = replica",
        "SET LOCAL session_replication_role = replica",
        "ALTER TABLE members_membership DROP CONSTRAINT members_membership_status_valid",
        "CREATE TRIGGER g_shadow BEFORE INSERT ON proposals_ballot "
        "FOR EACH ROW EXECUTE FUNCTION commons_now()",
        "ALTER TABLE proposals_proposal OWNER TO commons_app",
        "CREATE RULE skip AS ON DELETE TO proposals_ballot DO INSTEAD NOTHING",
    ],
)
def test_the_application_cannot_touch_the_guards_or_their_clock(community, attempt, statement):
    triggers = _triggers()
    with pytest.raises(ProgrammingError) as refusal, attempt():
        raw(statement)
    # Refused for want of privilege, not for some other fault of the statement.
    assert refusal.value.__cause__.sqlstate == "42501", refusal.value
    assert _triggers() == triggers


def _triggers() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname, tgenabled, tgfoid::regprocedure::text "
            "FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2"
        )
        return cursor.fetchall()


def test_the_application_role_owns_nothing_and_is_no_superuser(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [APPLICATION_ROLE]
        )
        assert cursor.fetchone() == (False, False)
        cursor.execute(
            "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND pg_get_userbyid(c.relowner) = %s",
            [APPLICATION_ROLE],
        )
        assert cursor.fetchone()[0] == 0


@pytest.mark.parametrize("table", GUARDED_TABLES)
def test_guarded_tables_cannot_be_truncated(community, attempt, table):
    before = count(table)
    with pytest.raises((IntegrityError, ProgrammingError)), attempt():
        raw(f"TRUNCATE {table} CASCADE")
    assert count(table) == before


@pytest.mark.parametrize("table", GUARDED_TABLES)
def test_guarded_tables_refuse_truncate_even_to_a_role_allowed_to(community, attempt, table):
    """Defence in depth: were the application role ever granted TRUNCATE,
    the guards' statement triggers still refuse it."""
    raw(f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA {schema()} TO {APPLICATION_ROLE}")
    # The fixture's writes leave deferred foreign-key checks pending in this
    # transaction, and PostgreSQL refuses TRUNCATE while any are: run them.
    raw("SET CONSTRAINTS ALL IMMEDIATE")
    before = count(table)
    with pytest.raises(IntegrityError, match="guard"), attempt():
        raw(f"TRUNCATE {table} CASCADE")
    assert count(table) == before


# --- the clock ---------------------------------------------------------------------------------


def test_the_production_clock_ignores_commons_now(db, settings):
    """Under the test settings the guard clock follows `commons.now` (so that
    time-machine moves it); the function installed in production does not."""
    settings.GUARD_CLOCK = clock.DATABASE
    statement = clock.postgresql_function("pg_temp")
    assert "commons.now" not in statement
    raw(statement)
    raw("SELECT set_config('commons.now', '2000-01-01T00:00:00+00:00', false)")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('commons.now'), pg_temp.commons_now(), statement_timestamp()"
        )
        forged, guard_now, db_now = cursor.fetchone()
    raw("SELECT set_config('commons.now', '', false)")
    assert forged.startswith("2000-01-01")
    assert guard_now == db_now


def test_a_shadowing_clock_in_the_temporary_schema_changes_nothing(community, refused):
    year_ago = timezone.now() - 400 * DAY
    with refused("a proposal is created as a draft, now"):
        raw(
            "CREATE FUNCTION pg_temp.commons_now() RETURNS timestamptz LANGUAGE sql "
            "AS $$ SELECT now() - interval '400 days' $$"
        )
        raw(
            "CREATE FUNCTION pg_temp.now() RETURNS timestamptz LANGUAGE sql "
            "AS $$ SELECT pg_catalog.now() - interval '400 days' $$"
        )
        raw(f"SET LOCAL search_path = pg_temp, {schema()}")
        Proposal.objects.create(
            kind="motion",
            title="Backdated",
            body="A year old.",
            author=community["alice"],
            created_at=year_ago,
        )
    assert not Proposal.objects.exists()


def test_the_application_cannot_change_the_guards_search_path_for_functions(community, refused):
    """A session's search_path does not reach the guards: each guard function
    fixes its own."""
    tables = schema()
    with refused("a proposal is created as a draft, now"):
        raw("SET LOCAL search_path = pg_catalog")
        raw(
            f"INSERT INTO {tables}.proposals_proposal (kind, title, body, author_id, state, "
            "decision_class, revision, created_at, yes_count, no_count, abstain_count, "
            "commitment) VALUES ('motion', 'x', 'x', %s, 'passed', 'ordinary', 1, now(), "
            "0, 0, 0, '')",
            [community["alice"].pk],
        )
    assert not Proposal.objects.exists()


# --- temporary tables in place of the real ones --------------------------------------------------


@contextmanager
def shadowed(table: str, *statements, params=()):
    """A temporary table of the same name as a guarded table's neighbour: in
    the session that creates it, unqualified names resolve to it first."""
    raw(f"CREATE TEMP TABLE {table} AS SELECT * FROM {schema()}.{table}")
    for statement in statements:
        raw(statement.format(t=f"pg_temp.{table}"), params)
    raw("DISCARD PLANS")  # what a fresh connection would have anyway
    yield
    raw(f"DROP TABLE pg_temp.{table}")
    raw("DISCARD PLANS")


LEGAL_FORM = {
    "article_slug": "legal-form",
    "new_title": "Legal form",
    "new_class": "entrenched",
    "new_text": "The association is a company with shareholders.",
}


def test_a_temporary_table_cannot_pose_as_a_passed_proposal(community, refused):
    """Once got through (PostgreSQL, critical). The guard functions run with
    `search_path = pg_catalog, <schema>`; `pg_temp` is not named, and an
    unnamed temporary schema is searched *first* for tables. A session of
    the application role (which may create temporary tables) creates
    `pg_temp.proposals_proposal` in which a draft is a passed legal-structure
    amendment past its timelock: the bylaw version trigger reads that table
    and writes legal-form v2. No vote took place; nothing remains of the
    temporary table at the end of the session."""
    proposal = draft(community["alice"], kind="amendment", amendments=[LEGAL_FORM])
    before = rows(BylawVersion)
    current = current_version("legal-form")
    with (
        refused("bylaw guard"),
        shadowed(
            "proposals_proposal",
            "UPDATE {t} SET state = 'passed', decision_class = 'entrenched', "
            "enactable_at = now() - interval '1 day' WHERE id = %s",
            params=[proposal.pk],
        ),
    ):
        BylawVersion.objects.create(
            article=current.article,
            number=current.number + 1,
            title=LEGAL_FORM["new_title"],
            article_class="entrenched",
            text=LEGAL_FORM["new_text"],
            enacted_by=proposal,
            enacted_at=timezone.now(),
        )
    assert rows(BylawVersion) == before
    assert Proposal.objects.get(pk=proposal.pk).state == "draft"


def test_temporary_ballots_cannot_turn_a_lost_vote_into_a_pass(community, refused):
    """Once got through (PostgreSQL, critical): the close counts `proposals_ballot`; a
    temporary copy with every ballot turned to yes closes a 2 yes / 5 no
    vote as passed, while the real ballots still say 2 / 5."""
    people = {**community, **{n: make_member(n) for n in ("eve", "finn", "gus")}}
    proposal = held(
        draft(people["alice"]),
        yes=[people["alice"], people["bob"]],
        no=[people[n] for n in ("carol", "ada", "eve", "finn", "gus")],
        closed_ago=timedelta(hours=1),
        close=False,
    )
    before, ballots = rows(Proposal), rows(Ballot)
    with (
        refused("a vote closes after its window"),
        shadowed("proposals_ballot", "UPDATE {t} SET choice = 'yes'"),
    ):
        Proposal.objects.filter(pk=proposal.pk).update(
            state="passed",
            yes_count=7,
            no_count=0,
            closed_at=proposal.voting_closes_at,
            enactable_at=proposal.voting_closes_at + timedelta(days=7),
        )
    assert (rows(Proposal), rows(Ballot)) == (before, ballots)


def test_a_temporary_standing_record_cannot_backdate_an_admission(community, refused):
    """Once got through (PostgreSQL, critical): the membership guard reads the latest
    `members_standingchange`; a temporary copy holding an admission 400 days
    old lets an applicant become a member of 400 days' tenure, on every roll
    at once, with no admission anywhere in the real record."""
    ivy = make_member("ivy", status="applicant", admitted_days_ago=0)
    long_ago = timezone.now() - 400 * DAY
    before = (rows(Membership, member=ivy), rows(StandingChange, member=ivy))
    with (
        refused("membership guard"),
        shadowed(
            "members_standingchange",
            "INSERT INTO {t} (id, member_id, action, authority, actor_id, reason, at) "
            "VALUES (2000000000, %s, 'admitted', 'self', %s, '', %s)",
            params=[ivy.pk, ivy.pk, long_ago],
        ),
    ):
        Membership.objects.filter(member=ivy).update(status="member", admitted_at=long_ago)
    assert (rows(Membership, member=ivy), rows(StandingChange, member=ivy)) == before


def test_a_temporary_role_cannot_stand_in_for_a_second_approver(books, refused):
    """Once got through (PostgreSQL, critical): every "holds a role" check reads
    `members_roleassignment`; with a temporary copy in which the founder is
    a steward, the founder approves a 600.00 expense (the four-eyes rule),
    or records money as a treasurer."""
    before = (rows(Transaction), rows(Posting))
    bank, workshop = Account.objects.get(code="assets:bank"), line_account(books["workshop"])
    with (
        refused(FOUR_EYES_OR_ROLE),
        shadowed(
            "members_roleassignment",
            "INSERT INTO {t} (id, member_id, role, granted_at, grant_reason, revoke_reason) "
            "VALUES (2000000000, %s, 'steward', now(), 'temporary', '')",
            params=[books["alice"].pk],
        ),
    ):
        forge(
            books,
            "expense",
            [(workshop, 60_000), (bank, -60_000)],
            budget_line=books["workshop"],
            receipt=books["receipt"],
            approved_by=books["alice"],
        )
    assert (rows(Transaction), rows(Posting)) == before


def test_refused_attacks_leave_the_session_usable(community, attempt):
    with pytest.raises(DatabaseError), attempt():
        raw("SET session_replication_role = replica")
    assert Proposal.objects.count() == 0
