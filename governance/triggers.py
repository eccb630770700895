"""Database triggers that enforce the bylaw guard below the application.

They reject, on SQLite and PostgreSQL alike:
- any UPDATE or DELETE (and TRUNCATE) of bylaw articles, bylaw versions and
  journal entries;
- an INSERT of a bylaw version unless a passed amendment proposal, past its
  timelock and decided under the right class, enacts exactly that text —
  except version 1 of an article written by the founding act, before the
  journal's first entry;
- a proposal created in any state but draft, a passing result that differs
  from the ballots, rewriting a closed decision, changing frozen rules after
  submission, adding
  to an electorate after voting opened, ballots outside the window or from
  outside the roll, and deleting ballots or submitted proposals.

Every message starts with "bylaw guard:" so the IntegrityError names the guard.
"""

from __future__ import annotations

from governance.guards import (
    POSTGRESQL_REJECT_FUNCTION,
    SQLITE_NOW,
    TriggerSet,
    postgresql_append_only,
    postgresql_drops,
    postgresql_no_truncate,
    postgresql_raise,
    sqlite_append_only,
    sqlite_append_only_names,
)

APPEND_ONLY = {
    "governance_bylawarticle": "bylaw guard: bylaw articles cannot be changed or deleted",
    "governance_bylawversion": (
        "bylaw guard: bylaw versions are append-only; an article changes only by enactment "
        "of a passed proposal"
    ),
    "governance_journalentry": "bylaw guard: the governance journal is append-only",
    "proposals_electorateentry": "bylaw guard: an electorate roll is frozen once voting opens",
}

MSG_NO_PROPOSAL = (
    "bylaw guard: a bylaw version without an enacting proposal can only be version 1, "
    "written by the founding act"
)
MSG_NUMBER = "bylaw guard: bylaw version numbers must follow on without gaps"
MSG_NOT_PASSED = (
    "bylaw guard: the enacting proposal has not passed, is not an amendment, or its "
    "timelock has not expired"
)
MSG_MISMATCH = "bylaw guard: the version differs from what the enacting proposal amends"
MSG_CLASS = (
    "bylaw guard: an entrenched article or the decision rules change only by a "
    "legal-structure decision"
)
MSG_CLOSED = "bylaw guard: a closed decision is final"
MSG_FROZEN = "bylaw guard: the rules of a submitted proposal are frozen"
MSG_PASS_FROM_VOTING = "bylaw guard: only a proposal in voting can pass"  # noqa: S105
MSG_INSERT_PROPOSAL = "bylaw guard: a proposal is created as a draft"
MSG_RESULT = "bylaw guard: a result must match the ballots cast"
MSG_DELETE_PROPOSAL = "bylaw guard: a submitted proposal cannot be deleted"
MSG_ROLL = "bylaw guard: the electorate roll is written only before voting opens"
MSG_BALLOT_WINDOW = "bylaw guard: ballots are cast only while voting is open, by the electorate"
MSG_BALLOT_DELETE = "bylaw guard: ballots cannot be deleted"

SQLITE = [
    *sqlite_append_only(APPEND_ONLY),
    f"""CREATE TRIGGER IF NOT EXISTS governance_bylawversion_guard_insert
    BEFORE INSERT ON governance_bylawversion
    BEGIN
      SELECT RAISE(ABORT, '{MSG_NUMBER}')
      WHERE NEW.number <> (SELECT COALESCE(MAX(number), 0) + 1 FROM governance_bylawversion
                           WHERE article_id = NEW.article_id);
      SELECT RAISE(ABORT, '{MSG_NO_PROPOSAL}')
      WHERE NEW.enacted_by_id IS NULL
        AND (NEW.number <> 1 OR EXISTS (SELECT 1 FROM governance_journalentry));
      SELECT RAISE(ABORT, '{MSG_NOT_PASSED}')
      WHERE NEW.enacted_by_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM proposals_proposal p
        WHERE p.id = NEW.enacted_by_id AND p.state = 'passed' AND p.kind = 'amendment'
          AND p.enactable_at <= {SQLITE_NOW});
      SELECT RAISE(ABORT, '{MSG_MISMATCH}')
      WHERE NEW.enacted_by_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM proposals_amendment a
        JOIN governance_bylawarticle ar ON ar.slug = a.article_slug
        WHERE a.proposal_id = NEW.enacted_by_id AND ar.id = NEW.article_id
          AND a.new_text = NEW.text AND a.new_title = NEW.title
          AND a.new_class = NEW.article_class AND a.new_parameters IS NEW.parameters);
      SELECT RAISE(ABORT, '{MSG_CLASS}')
      WHERE NEW.enacted_by_id IS NOT NULL
        AND (SELECT decision_class FROM proposals_proposal WHERE id = NEW.enacted_by_id)
            <> 'entrenched'
        AND (NEW.article_class = 'entrenched' OR NEW.parameters IS NOT NULL
             OR COALESCE((SELECT article_class FROM governance_bylawversion
                          WHERE article_id = NEW.article_id ORDER BY number DESC LIMIT 1),
                         'ordinary') = 'entrenched');
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS proposals_proposal_guard_update
    BEFORE UPDATE ON proposals_proposal
    BEGIN
      SELECT RAISE(ABORT, '{MSG_CLOSED}')
      WHERE OLD.state IN ('rejected', 'failed_quorum', 'enacted', 'withdrawn')
        AND (NEW.state <> OLD.state OR NEW.yes_count <> OLD.yes_count
             OR NEW.no_count <> OLD.no_count OR NEW.abstain_count <> OLD.abstain_count);
      SELECT RAISE(ABORT, '{MSG_CLOSED}')
      WHERE OLD.state = 'passed' AND (NEW.state NOT IN ('passed', 'enacted')
        OR NEW.yes_count <> OLD.yes_count OR NEW.no_count <> OLD.no_count
        OR NEW.abstain_count <> OLD.abstain_count OR NEW.enactable_at <> OLD.enactable_at);
      SELECT RAISE(ABORT, '{MSG_FROZEN}')
      WHERE OLD.submitted_at IS NOT NULL
        AND (NEW.rules IS NOT OLD.rules OR NEW.decision_class <> OLD.decision_class
             OR NEW.kind <> OLD.kind);
      SELECT RAISE(ABORT, '{MSG_PASS_FROM_VOTING}')
      WHERE NEW.state = 'passed' AND OLD.state NOT IN ('voting', 'passed');
      SELECT RAISE(ABORT, '{MSG_RESULT}')
      WHERE NEW.state = 'passed' AND OLD.state = 'voting' AND (
        NEW.yes_count <> (SELECT COUNT(*) FROM proposals_ballot
                          WHERE proposal_id = NEW.id AND choice = 'yes')
        OR NEW.no_count <> (SELECT COUNT(*) FROM proposals_ballot
                            WHERE proposal_id = NEW.id AND choice = 'no')
        OR NEW.abstain_count <> (SELECT COUNT(*) FROM proposals_ballot
                                 WHERE proposal_id = NEW.id AND choice = 'abstain'));
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS proposals_proposal_guard_insert
    BEFORE INSERT ON proposals_proposal
    BEGIN
      SELECT RAISE(ABORT, '{MSG_INSERT_PROPOSAL}')
      WHERE NEW.state <> 'draft' OR NEW.submitted_at IS NOT NULL OR NEW.rules IS NOT NULL
        OR NEW.yes_count <> 0 OR NEW.no_count <> 0 OR NEW.abstain_count <> 0;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS proposals_proposal_guard_delete
    BEFORE DELETE ON proposals_proposal
    BEGIN SELECT RAISE(ABORT, '{MSG_DELETE_PROPOSAL}') WHERE OLD.state <> 'draft'; END""",
    f"""CREATE TRIGGER IF NOT EXISTS proposals_electorateentry_guard_insert
    BEFORE INSERT ON proposals_electorateentry
    BEGIN
      SELECT RAISE(ABORT, '{MSG_ROLL}')
      WHERE (SELECT state FROM proposals_proposal WHERE id = NEW.proposal_id)
            NOT IN ('discussion', 'notice');
    END""",
    *[
        f"""CREATE TRIGGER IF NOT EXISTS proposals_ballot_guard_{op.lower()}
        BEFORE {op} ON proposals_ballot
        BEGIN
          SELECT RAISE(ABORT, '{MSG_BALLOT_WINDOW}')
          WHERE (SELECT state FROM proposals_proposal WHERE id = NEW.proposal_id) <> 'voting'
             OR NOT EXISTS (SELECT 1 FROM proposals_electorateentry e
                            WHERE e.proposal_id = NEW.proposal_id AND e.member_id = NEW.voter_id);
        END"""
        for op in ("INSERT", "UPDATE")
    ],
    f"""CREATE TRIGGER IF NOT EXISTS proposals_ballot_no_delete BEFORE DELETE ON proposals_ballot
    BEGIN SELECT RAISE(ABORT, '{MSG_BALLOT_DELETE}'); END""",
]

SQLITE_NAMES = [
    *sqlite_append_only_names(APPEND_ONLY),
    "governance_bylawversion_guard_insert",
    "proposals_proposal_guard_update",
    "proposals_proposal_guard_insert",
    "proposals_proposal_guard_delete",
    "proposals_electorateentry_guard_insert",
    "proposals_ballot_guard_insert",
    "proposals_ballot_guard_update",
    "proposals_ballot_no_delete",
]


POSTGRESQL_FUNCTIONS = [
    POSTGRESQL_REJECT_FUNCTION,
    f"""CREATE OR REPLACE FUNCTION governance_bylawversion_guard_insert() RETURNS trigger AS $$
    DECLARE
      p proposals_proposal%ROWTYPE;
      last_number integer;
      current_class text;
    BEGIN
      SELECT COALESCE(MAX(number), 0) INTO last_number FROM governance_bylawversion
        WHERE article_id = NEW.article_id;
      IF NEW.number <> last_number + 1 THEN {postgresql_raise(MSG_NUMBER)} END IF;
      IF NEW.enacted_by_id IS NULL THEN
        IF NEW.number <> 1 OR EXISTS (SELECT 1 FROM governance_journalentry) THEN
          {postgresql_raise(MSG_NO_PROPOSAL)}
        END IF;
        RETURN NEW;
      END IF;
      SELECT * INTO p FROM proposals_proposal WHERE id = NEW.enacted_by_id;
      IF p.state IS DISTINCT FROM 'passed' OR p.kind <> 'amendment' OR p.enactable_at > now() THEN
        {postgresql_raise(MSG_NOT_PASSED)}
      END IF;
      IF NOT EXISTS (
        SELECT 1 FROM proposals_amendment a
        JOIN governance_bylawarticle ar ON ar.slug = a.article_slug
        WHERE a.proposal_id = p.id AND ar.id = NEW.article_id
          AND a.new_text = NEW.text AND a.new_title = NEW.title
          AND a.new_class = NEW.article_class
          AND a.new_parameters IS NOT DISTINCT FROM NEW.parameters
      ) THEN {postgresql_raise(MSG_MISMATCH)} END IF;
      SELECT article_class INTO current_class FROM governance_bylawversion
        WHERE article_id = NEW.article_id ORDER BY number DESC LIMIT 1;
      IF p.decision_class <> 'entrenched' AND (NEW.article_class = 'entrenched'
         OR NEW.parameters IS NOT NULL OR current_class = 'entrenched') THEN
        {postgresql_raise(MSG_CLASS)}
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION proposals_proposal_guard_update() RETURNS trigger AS $$
    BEGIN
      IF OLD.state IN ('rejected', 'failed_quorum', 'enacted', 'withdrawn')
         AND (NEW.state <> OLD.state OR NEW.yes_count <> OLD.yes_count
              OR NEW.no_count <> OLD.no_count OR NEW.abstain_count <> OLD.abstain_count) THEN
        {postgresql_raise(MSG_CLOSED)}
      END IF;
      IF OLD.state = 'passed' AND (NEW.state NOT IN ('passed', 'enacted')
         OR NEW.yes_count <> OLD.yes_count OR NEW.no_count <> OLD.no_count
         OR NEW.abstain_count <> OLD.abstain_count
         OR NEW.enactable_at IS DISTINCT FROM OLD.enactable_at) THEN
        {postgresql_raise(MSG_CLOSED)}
      END IF;
      IF OLD.submitted_at IS NOT NULL AND (NEW.rules IS DISTINCT FROM OLD.rules
         OR NEW.decision_class <> OLD.decision_class OR NEW.kind <> OLD.kind) THEN
        {postgresql_raise(MSG_FROZEN)}
      END IF;
      IF NEW.state = 'passed' AND OLD.state NOT IN ('voting', 'passed') THEN
        {postgresql_raise(MSG_PASS_FROM_VOTING)}
      END IF;
      IF NEW.state = 'passed' AND OLD.state = 'voting' AND (
         NEW.yes_count <> (SELECT COUNT(*) FROM proposals_ballot
                           WHERE proposal_id = NEW.id AND choice = 'yes')
         OR NEW.no_count <> (SELECT COUNT(*) FROM proposals_ballot
                             WHERE proposal_id = NEW.id AND choice = 'no')
         OR NEW.abstain_count <> (SELECT COUNT(*) FROM proposals_ballot
                                  WHERE proposal_id = NEW.id AND choice = 'abstain')) THEN
        {postgresql_raise(MSG_RESULT)}
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION proposals_proposal_guard_insert() RETURNS trigger AS $$
    BEGIN
      IF NEW.state <> 'draft' OR NEW.submitted_at IS NOT NULL OR NEW.rules IS NOT NULL
         OR NEW.yes_count <> 0 OR NEW.no_count <> 0 OR NEW.abstain_count <> 0 THEN
        {postgresql_raise(MSG_INSERT_PROPOSAL)}
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION proposals_proposal_guard_delete() RETURNS trigger AS $$
    BEGIN
      IF OLD.state <> 'draft' THEN {postgresql_raise(MSG_DELETE_PROPOSAL)} END IF;
      RETURN OLD;
    END; $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION proposals_electorateentry_guard_insert() RETURNS trigger AS $$
    BEGIN
      IF (SELECT state FROM proposals_proposal WHERE id = NEW.proposal_id)
         NOT IN ('discussion', 'notice') THEN
        {postgresql_raise(MSG_ROLL)}
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION proposals_ballot_guard_write() RETURNS trigger AS $$
    BEGIN
      IF (SELECT state FROM proposals_proposal WHERE id = NEW.proposal_id) <> 'voting'
         OR NOT EXISTS (SELECT 1 FROM proposals_electorateentry e
                        WHERE e.proposal_id = NEW.proposal_id AND e.member_id = NEW.voter_id) THEN
        {postgresql_raise(MSG_BALLOT_WINDOW)}
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
]

TRUNCATE_GUARDED = {
    **APPEND_ONLY,
    "proposals_ballot": MSG_BALLOT_DELETE,
    "proposals_proposal": MSG_DELETE_PROPOSAL,
}

POSTGRESQL_TRIGGERS = [
    *postgresql_append_only(APPEND_ONLY),
    *postgresql_no_truncate(TRUNCATE_GUARDED),
    """CREATE OR REPLACE TRIGGER governance_bylawversion_guard_insert
    BEFORE INSERT ON governance_bylawversion
    FOR EACH ROW EXECUTE FUNCTION governance_bylawversion_guard_insert()""",
    """CREATE OR REPLACE TRIGGER proposals_proposal_guard_update
    BEFORE UPDATE ON proposals_proposal
    FOR EACH ROW EXECUTE FUNCTION proposals_proposal_guard_update()""",
    """CREATE OR REPLACE TRIGGER proposals_proposal_guard_insert
    BEFORE INSERT ON proposals_proposal
    FOR EACH ROW EXECUTE FUNCTION proposals_proposal_guard_insert()""",
    """CREATE OR REPLACE TRIGGER proposals_proposal_guard_delete
    BEFORE DELETE ON proposals_proposal
    FOR EACH ROW EXECUTE FUNCTION proposals_proposal_guard_delete()""",
    """CREATE OR REPLACE TRIGGER proposals_electorateentry_guard_insert
    BEFORE INSERT ON proposals_electorateentry
    FOR EACH ROW EXECUTE FUNCTION proposals_electorateentry_guard_insert()""",
    """CREATE OR REPLACE TRIGGER proposals_ballot_guard_write
    BEFORE INSERT OR UPDATE ON proposals_ballot
    FOR EACH ROW EXECUTE FUNCTION proposals_ballot_guard_write()""",
    f"""CREATE OR REPLACE TRIGGER proposals_ballot_no_delete BEFORE DELETE ON proposals_ballot
    FOR EACH ROW EXECUTE FUNCTION commons_reject_change('{MSG_BALLOT_DELETE}')""",
]

POSTGRESQL_DROP = [
    *postgresql_drops(APPEND_ONLY, "append_only"),
    *postgresql_drops(TRUNCATE_GUARDED, "no_truncate"),
    "DROP TRIGGER IF EXISTS governance_bylawversion_guard_insert ON governance_bylawversion",
    "DROP TRIGGER IF EXISTS proposals_proposal_guard_update ON proposals_proposal",
    "DROP TRIGGER IF EXISTS proposals_proposal_guard_insert ON proposals_proposal",
    "DROP TRIGGER IF EXISTS proposals_proposal_guard_delete ON proposals_proposal",
    "DROP TRIGGER IF EXISTS proposals_electorateentry_guard_insert ON proposals_electorateentry",
    "DROP TRIGGER IF EXISTS proposals_ballot_guard_write ON proposals_ballot",
    "DROP TRIGGER IF EXISTS proposals_ballot_no_delete ON proposals_ballot",
]


GUARD = TriggerSet(
    sqlite=SQLITE,
    sqlite_names=SQLITE_NAMES,
    postgresql=[*POSTGRESQL_FUNCTIONS, *POSTGRESQL_TRIGGERS],
    postgresql_drop=POSTGRESQL_DROP,
)
install = GUARD.install
uninstall = GUARD.uninstall
