"""Rows of other apps that exist only by enactment: bylaw versions, new
articles, budget lines, roles granted or removed; each names a passed
proposal whose timelock is over and which contains exactly that change."""

from __future__ import annotations

from governance.models import ArticleClass
from governance.parameters import PARAMETERS_ARTICLE
from governance.triggers import FOUNDED
from kernel.guards import Guard, Rule, literal
from proposals.models import Kind
from proposals.triggers.rules import (
    ENTRENCHED,
    ENTRENCHED_ARTICLE,
    MSG_ARTICLE,
    MSG_BUDGET_LINE,
    MSG_CLASS,
    MSG_MISMATCH,
    MSG_REPLAY,
    MSG_ROLE_GRANT,
    MSG_ROLE_REVOKE,
    MSG_VERSION,
    enactable,
)

# --- artifacts: rows of other apps that exist only by enactment --------------------------------

# The decision rules' article; other articles may carry parameters that their
# app declared (`governance.parameters.register_article`), changed like any
# article of their class.
DECISION_RULES_ARTICLE = (
    "EXISTS (SELECT 1 FROM governance_bylawarticle pa WHERE pa.id = NEW.article_id "
    f"AND pa.slug = {literal(PARAMETERS_ARTICLE)})"
)


def _version_rules() -> tuple[Rule, ...]:
    same_parameters = lambda d: f"NOT {d.distinct('a.new_parameters', 'NEW.parameters')}"  # noqa: E731
    return (
        Rule(
            MSG_VERSION,
            lambda d: (
                "NEW.enacted_by_id IS NOT NULL AND NOT "
                + enactable(d, "NEW.enacted_by_id", Kind.AMENDMENT)
            ),
        ),
        Rule(
            MSG_MISMATCH,
            lambda d: (
                "NEW.enacted_by_id IS NOT NULL AND NOT EXISTS (SELECT 1 "
                "FROM proposals_amendment a "
                "JOIN governance_bylawarticle ar ON ar.slug = a.article_slug "
                "WHERE a.proposal_id = NEW.enacted_by_id AND ar.id = NEW.article_id "
                "AND a.new_text = NEW.text AND a.new_title = NEW.title "
                f"AND a.new_class = NEW.article_class AND {same_parameters(d)})"
            ),
        ),
        Rule(
            MSG_REPLAY,
            "NEW.enacted_by_id IS NOT NULL AND EXISTS (SELECT 1 FROM governance_bylawversion rv "
            "WHERE rv.enacted_by_id = NEW.enacted_by_id AND rv.article_id = NEW.article_id)",
        ),
        Rule(
            MSG_CLASS,
            "NEW.enacted_by_id IS NOT NULL "
            "AND (SELECT vp.decision_class FROM proposals_proposal vp "
            f"WHERE vp.id = NEW.enacted_by_id) <> {ENTRENCHED} "
            f"AND (NEW.article_class = {ENTRENCHED_ARTICLE} OR {DECISION_RULES_ARTICLE} "
            "OR COALESCE((SELECT cv.article_class FROM governance_bylawversion cv "
            "WHERE cv.article_id = NEW.article_id ORDER BY cv.number DESC LIMIT 1), "
            f"{literal(ArticleClass.ORDINARY)}) = {ENTRENCHED_ARTICLE})",
        ),
    )


def _appointment(proposal: str, action: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM proposals_appointment ap WHERE ap.proposal_id = {proposal} "
        "AND ap.member_id = NEW.member_id AND ap.role = NEW.role "
        f"AND ap.action = {literal(action)})"
    )


def artifact_guards() -> list[Guard]:
    return [
        Guard("governance_bylawversion", "INSERT", _version_rules(), name="authority"),
        Guard(
            "governance_bylawarticle",
            "INSERT",
            (
                Rule(
                    MSG_ARTICLE,
                    lambda d: (
                        f"{FOUNDED} AND NOT EXISTS (SELECT 1 FROM proposals_amendment a "
                        "WHERE a.article_slug = NEW.slug "
                        f"AND {enactable(d, 'a.proposal_id', Kind.AMENDMENT)})"
                    ),
                ),
            ),
            name="authority",
        ),
        Guard(
            "treasury_budgetline",
            "INSERT",
            (
                Rule(
                    MSG_BUDGET_LINE,
                    lambda d: (
                        f"NOT {enactable(d, 'NEW.proposal_id', Kind.BUDGET)} "
                        "OR NOT EXISTS (SELECT 1 FROM proposals_budgetitem bi "
                        "JOIN treasury_fund bf ON bf.slug = bi.fund "
                        "WHERE bi.id = NEW.budget_item_id AND bi.proposal_id = NEW.proposal_id "
                        "AND bi.amount_cents = NEW.amount_cents "
                        "AND bi.purpose = NEW.purpose AND bf.id = NEW.fund_id) "
                        f"OR {d.not_now('NEW.opened_at')}"
                    ),
                ),
            ),
            name="authority",
        ),
        Guard(
            "members_roleassignment",
            "INSERT",
            (
                Rule(
                    MSG_ROLE_GRANT,
                    lambda d: (
                        "NEW.granted_by_proposal_id IS NOT NULL AND (NOT "
                        f"{enactable(d, 'NEW.granted_by_proposal_id', Kind.APPOINTMENT)} "
                        f"OR NOT {_appointment('NEW.granted_by_proposal_id', 'grant')} "
                        "OR EXISTS (SELECT 1 FROM members_roleassignment rg "
                        "WHERE rg.granted_by_proposal_id = NEW.granted_by_proposal_id "
                        "AND rg.member_id = NEW.member_id AND rg.role = NEW.role))"
                    ),
                ),
            ),
            name="authority",
        ),
        Guard(
            "members_roleassignment",
            "UPDATE",
            (
                Rule(
                    MSG_ROLE_REVOKE,
                    lambda d: (
                        "NEW.revoked_by_proposal_id IS NOT NULL "
                        "AND OLD.revoked_by_proposal_id IS NULL AND (NOT "
                        f"{enactable(d, 'NEW.revoked_by_proposal_id', Kind.APPOINTMENT)} "
                        f"OR NOT {_appointment('NEW.revoked_by_proposal_id', 'remove')} "
                        "OR EXISTS (SELECT 1 FROM members_roleassignment rr "
                        "WHERE rr.revoked_by_proposal_id = NEW.revoked_by_proposal_id "
                        "AND rr.member_id = NEW.member_id AND rr.role = NEW.role))"
                    ),
                ),
            ),
            name="authority",
        ),
    ]
