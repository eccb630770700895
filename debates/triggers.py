"""The debate guard: moderation happens in the open, or not at all.

On SQLite and PostgreSQL alike:

- The edit history, flags and the moderation log are
  append-only; arguments are hidden, never deleted.
- An argument is posted visible, now, by a member in good standing; its
  author, thread, stance and date never change.
- Its text changes only together with a new revision holding that text,
  numbered next; a hidden message is not edited.
- Its status changes only as the latest moderation record says: hidden by a
  steward with a public reason; review asked by its author; restored or
  confirmed by another steward (not the one who hid it, not the author), with
  a public reason. Each record is legal for the status it changes.

Every message starts with "debate guard:" so the IntegrityError names the guard.
"""

from __future__ import annotations

from debates.models import Argument, ModerationAction
from kernel.guards import Dialect, Guard, Rule, TriggerSet, literal
from members.roles import Role
from members.triggers import holds_role, in_good_standing
from proposals.phases import PHASES

DEBATABLE = ", ".join(literal(s) for s, phase in PHASES.items() if phase.is_debatable)
S = Argument.Status
M = ModerationAction.Action

MSG_POST = "debate guard: a message is posted visible, now, by a member in good standing"
MSG_FIXED = "debate guard: a message's author, thread, stance and date never change"
MSG_EDIT = (
    "debate guard: a message's text changes only with a new revision holding that text, "
    "and never while hidden"
)
MSG_STATUS = (
    "debate guard: a message is hidden or shown again only as the latest moderation record says"
)
MSG_MODERATION = (
    "debate guard: stewards hide with a public reason; the author may ask once for review; "
    "another steward restores or confirms, with a public reason"
)
MSG_REVISION = (
    "debate guard: revisions are written now, numbered in order, the first holding the message, "
    "the next one the edit of a visible message"
)
MSG_CLOSED = "debate guard: a debate takes new messages only while its proposal is debated"

LATEST = (
    "(SELECT m.{} FROM debates_moderationaction m WHERE m.argument_id = NEW.id "
    "ORDER BY m.id DESC LIMIT 1)"
)
HIDDEN = ("hidden_by_id", "hidden_reason", "hidden_at")


def _follows_latest_action(d: Dialect) -> str:
    action = LATEST.format("action")
    unchanged = " AND ".join(f"NOT {d.distinct(f'NEW.{c}', f'OLD.{c}')}" for c in HIDDEN)
    return f"""(
      ({action} = {literal(M.HIDDEN)} AND OLD.status = {literal(S.VISIBLE)}
        AND NEW.status = {literal(S.HIDDEN)} AND NEW.hidden_by_id = {LATEST.format("actor_id")}
        AND NEW.hidden_reason = {LATEST.format("reason")} AND NOT {d.not_now("NEW.hidden_at")})
      OR ({action} = {literal(M.REVIEW_REQUESTED)} AND OLD.status = {literal(S.HIDDEN)}
        AND NEW.status = {literal(S.UNDER_REVIEW)} AND {unchanged})
      OR ({action} = {literal(M.RESTORED)} AND OLD.status = {literal(S.UNDER_REVIEW)}
        AND NEW.status = {literal(S.VISIBLE)} AND NEW.hidden_by_id IS NULL
        AND NEW.hidden_reason = '' AND NEW.hidden_at IS NULL)
      OR ({action} = {literal(M.CONFIRMED)} AND OLD.status = {literal(S.UNDER_REVIEW)}
        AND NEW.status = {literal(S.HIDE_CONFIRMED)} AND {unchanged})
    )"""


def _moderation_is_legal() -> str:
    argument = "(SELECT a.{} FROM debates_argument a WHERE a.id = NEW.argument_id)"
    status, author, hider = (
        argument.format("status"),
        argument.format("author_id"),
        argument.format("hidden_by_id"),
    )
    steward = holds_role("NEW.actor_id", [Role.STEWARD])
    reason = "TRIM(NEW.reason) <> ''"
    return f"""(
      (NEW.action = {literal(M.HIDDEN)} AND {steward} AND {reason}
        AND {status} = {literal(S.VISIBLE)})
      OR (NEW.action = {literal(M.REVIEW_REQUESTED)} AND NEW.actor_id = {author}
        AND {status} = {literal(S.HIDDEN)})
      OR (NEW.action IN ({literal(M.RESTORED)}, {literal(M.CONFIRMED)}) AND {steward} AND {reason}
        AND {status} = {literal(S.UNDER_REVIEW)}
        AND NEW.actor_id <> {author} AND NEW.actor_id <> {hider})
    )"""


def guards() -> TriggerSet:
    next_revision = (
        "(SELECT COALESCE(MAX(r.number), 0) + 1 FROM debates_argumentrevision r "
        "WHERE r.argument_id = NEW.argument_id)"
    )
    text_changes = ("body", "body_html", "edited_at", "revision_count")
    return TriggerSet(
        guards=(
            Guard(
                "debates_argument",
                "INSERT",
                (
                    Rule(
                        MSG_CLOSED,
                        "(SELECT p.state FROM proposals_proposal p WHERE p.id = NEW.proposal_id) "
                        f"NOT IN ({DEBATABLE})",
                    ),
                    Rule(
                        MSG_POST,
                        lambda d: (
                            f"NEW.status <> {literal(S.VISIBLE)} OR NEW.revision_count <> 1 "
                            "OR NEW.edited_at IS NOT NULL OR NEW.hidden_by_id IS NOT NULL "
                            "OR NEW.hidden_at IS NOT NULL OR NEW.hidden_reason <> '' "
                            f"OR {d.not_now('NEW.created_at')} "
                            f"OR NOT {in_good_standing('NEW.author_id')}"
                        ),
                    ),
                ),
            ),
            Guard(
                "debates_argument",
                "UPDATE",
                (
                    Rule(
                        MSG_FIXED,
                        lambda d: d.any_distinct(
                            ["proposal_id", "parent_id", "author_id", "stance", "created_at"]
                        ),
                    ),
                    Rule(
                        MSG_EDIT,
                        lambda d: (
                            f"{d.any_distinct(text_changes)} AND ("
                            f"OLD.status <> {literal(S.VISIBLE)} "
                            "OR NEW.revision_count <> OLD.revision_count + 1 "
                            f"OR {d.not_now('NEW.edited_at')} "
                            "OR NOT EXISTS (SELECT 1 FROM debates_argumentrevision ar "
                            "WHERE ar.argument_id = NEW.id AND ar.number = NEW.revision_count "
                            "AND ar.body = NEW.body AND ar.body_html = NEW.body_html))"
                        ),
                    ),
                    Rule(
                        MSG_STATUS,
                        lambda d: (
                            f"{d.any_distinct(['status', *HIDDEN])} "
                            f"AND NOT {_follows_latest_action(d)}"
                        ),
                    ),
                ),
            ),
            Guard(
                "debates_argumentrevision",
                "INSERT",
                (
                    Rule(
                        MSG_REVISION,
                        lambda d: (
                            f"NEW.number <> {next_revision} OR {d.not_now('NEW.created_at')} "
                            "OR (NEW.number = 1 AND NOT EXISTS (SELECT 1 FROM debates_argument a "
                            "WHERE a.id = NEW.argument_id AND a.body = NEW.body "
                            "AND a.body_html = NEW.body_html)) "
                            "OR (NEW.number > 1 AND NOT EXISTS (SELECT 1 FROM debates_argument a "
                            "WHERE a.id = NEW.argument_id AND a.revision_count = NEW.number - 1 "
                            f"AND a.status = {literal(S.VISIBLE)}))"
                        ),
                    ),
                ),
            ),
            Guard(
                "debates_moderationaction",
                "INSERT",
                (
                    Rule(
                        MSG_MODERATION,
                        lambda d: f"{d.not_now('NEW.created_at')} OR NOT {_moderation_is_legal()}",
                    ),
                ),
            ),
        ),
        append_only={
            "debates_argumentrevision": (
                "debate guard: the edit history of an argument is append-only"
            ),
            "debates_moderationaction": "debate guard: the moderation log is append-only",
            "debates_flag": "debate guard: flags are append-only",
        },
        no_delete={
            "debates_argument": "debate guard: arguments are hidden, never deleted",
        },
    )
