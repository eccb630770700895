"""Database triggers that keep the ledger honest below the application.

On SQLite and PostgreSQL alike they reject:
- a transaction inserted as anything but a draft (postings come first);
- marking a transaction posted unless it has two or more postings summing to
  exactly zero;
- any change to a posted transaction, and deleting any transaction;
- adding a posting to a posted transaction, and any UPDATE or DELETE of
  postings;
- a posting that would take a budget line's expense account beyond the line's
  allocation;
- a ledger entry for a transaction that is not posted, and any UPDATE or
  DELETE of ledger entries, receipts, budget lines and audit attestations;
- a budget line not opened by the enactment of a passed budget proposal;
- TRUNCATE of any of these tables (PostgreSQL).

Every message starts with "ledger guard:" so the IntegrityError names the guard.
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
    "treasury_posting": "ledger guard: postings are immutable; record a reversal instead",
    "treasury_ledgerentry": "ledger guard: the ledger chain is append-only",
    "treasury_receipt": "ledger guard: receipts are immutable",
    "treasury_budgetline": "ledger guard: a voted budget line cannot be changed or deleted",
    "treasury_auditattestation": "ledger guard: audit attestations are immutable",
}

MSG_INSERT_DRAFT = (
    "ledger guard: a transaction is written as a draft, then posted with its postings"
)
MSG_POSTED_IMMUTABLE = "ledger guard: a posted transaction is immutable; correct it with a reversal"
MSG_UNBALANCED = "ledger guard: a transaction needs two or more postings that sum to exactly zero"
MSG_DELETE = "ledger guard: transactions cannot be deleted"
MSG_POSTING_CLOSED = "ledger guard: postings cannot be added to a posted transaction"
MSG_OVER_BUDGET = "ledger guard: spending cannot exceed the allocation of a budget line"
MSG_ENTRY_UNPOSTED = "ledger guard: only a posted transaction enters the ledger chain"
MSG_BUDGET_LINE = "ledger guard: budget lines are opened only by enacting a passed budget proposal"

SQLITE = [
    *sqlite_append_only(APPEND_ONLY),
    f"""CREATE TRIGGER IF NOT EXISTS treasury_transaction_guard_insert
    BEFORE INSERT ON treasury_transaction
    BEGIN SELECT RAISE(ABORT, '{MSG_INSERT_DRAFT}') WHERE NEW.status <> 'draft'; END""",
    f"""CREATE TRIGGER IF NOT EXISTS treasury_transaction_guard_update
    BEFORE UPDATE ON treasury_transaction
    BEGIN
      SELECT RAISE(ABORT, '{MSG_POSTED_IMMUTABLE}') WHERE OLD.status = 'posted';
      SELECT RAISE(ABORT, '{MSG_UNBALANCED}')
      WHERE NEW.status = 'posted' AND (
        (SELECT COUNT(*) FROM treasury_posting WHERE transaction_id = NEW.id) < 2
        OR (SELECT COALESCE(SUM(amount_cents), 0) FROM treasury_posting
            WHERE transaction_id = NEW.id) <> 0);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS treasury_transaction_no_delete
    BEFORE DELETE ON treasury_transaction
    BEGIN SELECT RAISE(ABORT, '{MSG_DELETE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS treasury_posting_guard_insert
    BEFORE INSERT ON treasury_posting
    BEGIN
      SELECT RAISE(ABORT, '{MSG_POSTING_CLOSED}')
      WHERE (SELECT status FROM treasury_transaction WHERE id = NEW.transaction_id) <> 'draft';
      SELECT RAISE(ABORT, '{MSG_OVER_BUDGET}')
      WHERE EXISTS (
        SELECT 1 FROM treasury_account a JOIN treasury_budgetline b ON b.id = a.budget_line_id
        WHERE a.id = NEW.account_id
          AND (SELECT COALESCE(SUM(p.amount_cents), 0) FROM treasury_posting p
               WHERE p.account_id = NEW.account_id) + NEW.amount_cents > b.amount_cents);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS treasury_ledgerentry_guard_insert
    BEFORE INSERT ON treasury_ledgerentry
    BEGIN
      SELECT RAISE(ABORT, '{MSG_ENTRY_UNPOSTED}')
      WHERE (SELECT status FROM treasury_transaction WHERE id = NEW.transaction_id)
            IS NOT 'posted';
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS treasury_budgetline_guard_insert
    BEFORE INSERT ON treasury_budgetline
    BEGIN
      SELECT RAISE(ABORT, '{MSG_BUDGET_LINE}')
      WHERE NOT EXISTS (
        SELECT 1 FROM proposals_proposal p JOIN proposals_budgetitem i ON i.proposal_id = p.id
        WHERE p.id = NEW.proposal_id AND i.id = NEW.budget_item_id
          AND p.kind = 'budget' AND p.state = 'passed' AND p.enactable_at <= {SQLITE_NOW}
          AND i.amount_cents = NEW.amount_cents);
    END""",
]

SQLITE_NAMES = [
    *sqlite_append_only_names(APPEND_ONLY),
    "treasury_transaction_guard_insert",
    "treasury_transaction_guard_update",
    "treasury_transaction_no_delete",
    "treasury_posting_guard_insert",
    "treasury_ledgerentry_guard_insert",
    "treasury_budgetline_guard_insert",
]


POSTGRESQL_FUNCTIONS = [
    POSTGRESQL_REJECT_FUNCTION,
    f"""CREATE OR REPLACE FUNCTION treasury_transaction_guard_insert() RETURNS trigger AS $$
    BEGIN
      IF NEW.status <> 'draft' THEN {postgresql_raise(MSG_INSERT_DRAFT)} END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION treasury_transaction_guard_update() RETURNS trigger AS $$
    DECLARE
      n integer;
      total bigint;
    BEGIN
      IF OLD.status = 'posted' THEN {postgresql_raise(MSG_POSTED_IMMUTABLE)} END IF;
      IF NEW.status = 'posted' THEN
        SELECT COUNT(*), COALESCE(SUM(amount_cents), 0) INTO n, total
          FROM treasury_posting WHERE transaction_id = NEW.id;
        IF n < 2 OR total <> 0 THEN {postgresql_raise(MSG_UNBALANCED)} END IF;
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION treasury_posting_guard_insert() RETURNS trigger AS $$
    DECLARE
      allocation bigint;
      spent bigint;
    BEGIN
      IF (SELECT status FROM treasury_transaction WHERE id = NEW.transaction_id)
         IS DISTINCT FROM 'draft' THEN
        {postgresql_raise(MSG_POSTING_CLOSED)}
      END IF;
      SELECT b.amount_cents INTO allocation FROM treasury_account a
        JOIN treasury_budgetline b ON b.id = a.budget_line_id WHERE a.id = NEW.account_id;
      IF allocation IS NOT NULL THEN
        SELECT COALESCE(SUM(amount_cents), 0) INTO spent FROM treasury_posting
          WHERE account_id = NEW.account_id;
        IF spent + NEW.amount_cents > allocation THEN {postgresql_raise(MSG_OVER_BUDGET)} END IF;
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION treasury_ledgerentry_guard_insert() RETURNS trigger AS $$
    BEGIN
      IF (SELECT status FROM treasury_transaction WHERE id = NEW.transaction_id)
         IS DISTINCT FROM 'posted' THEN
        {postgresql_raise(MSG_ENTRY_UNPOSTED)}
      END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
    f"""CREATE OR REPLACE FUNCTION treasury_budgetline_guard_insert() RETURNS trigger AS $$
    BEGIN
      IF NOT EXISTS (
        SELECT 1 FROM proposals_proposal p JOIN proposals_budgetitem i ON i.proposal_id = p.id
        WHERE p.id = NEW.proposal_id AND i.id = NEW.budget_item_id
          AND p.kind = 'budget' AND p.state = 'passed' AND p.enactable_at <= now()
          AND i.amount_cents = NEW.amount_cents
      ) THEN {postgresql_raise(MSG_BUDGET_LINE)} END IF;
      RETURN NEW;
    END; $$ LANGUAGE plpgsql""",
]

TRUNCATE_GUARDED = {**APPEND_ONLY, "treasury_transaction": MSG_DELETE}

POSTGRESQL_TRIGGERS = [
    *postgresql_append_only(APPEND_ONLY),
    *postgresql_no_truncate(TRUNCATE_GUARDED),
    """CREATE OR REPLACE TRIGGER treasury_transaction_guard_insert
    BEFORE INSERT ON treasury_transaction
    FOR EACH ROW EXECUTE FUNCTION treasury_transaction_guard_insert()""",
    """CREATE OR REPLACE TRIGGER treasury_transaction_guard_update
    BEFORE UPDATE ON treasury_transaction
    FOR EACH ROW EXECUTE FUNCTION treasury_transaction_guard_update()""",
    f"""CREATE OR REPLACE TRIGGER treasury_transaction_no_delete
    BEFORE DELETE ON treasury_transaction
    FOR EACH ROW EXECUTE FUNCTION commons_reject_change('{MSG_DELETE}')""",
    """CREATE OR REPLACE TRIGGER treasury_posting_guard_insert
    BEFORE INSERT ON treasury_posting
    FOR EACH ROW EXECUTE FUNCTION treasury_posting_guard_insert()""",
    """CREATE OR REPLACE TRIGGER treasury_ledgerentry_guard_insert
    BEFORE INSERT ON treasury_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION treasury_ledgerentry_guard_insert()""",
    """CREATE OR REPLACE TRIGGER treasury_budgetline_guard_insert
    BEFORE INSERT ON treasury_budgetline
    FOR EACH ROW EXECUTE FUNCTION treasury_budgetline_guard_insert()""",
]

POSTGRESQL_DROP = [
    *postgresql_drops(APPEND_ONLY, "append_only"),
    *postgresql_drops(TRUNCATE_GUARDED, "no_truncate"),
    "DROP TRIGGER IF EXISTS treasury_transaction_guard_insert ON treasury_transaction",
    "DROP TRIGGER IF EXISTS treasury_transaction_guard_update ON treasury_transaction",
    "DROP TRIGGER IF EXISTS treasury_transaction_no_delete ON treasury_transaction",
    "DROP TRIGGER IF EXISTS treasury_posting_guard_insert ON treasury_posting",
    "DROP TRIGGER IF EXISTS treasury_ledgerentry_guard_insert ON treasury_ledgerentry",
    "DROP TRIGGER IF EXISTS treasury_budgetline_guard_insert ON treasury_budgetline",
]


GUARD = TriggerSet(
    sqlite=SQLITE,
    sqlite_names=SQLITE_NAMES,
    postgresql=[*POSTGRESQL_FUNCTIONS, *POSTGRESQL_TRIGGERS],
    postgresql_drop=POSTGRESQL_DROP,
)
install = GUARD.install
uninstall = GUARD.uninstall
