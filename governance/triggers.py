"""The bylaw guard's own tables: articles, versions, the hash chains.

- Bylaw articles and versions, and every chain's entries, are append-only.
- A bylaw version follows the previous number; one without an enacting
  proposal is version 1 written by the founding act, before the journal's
  first entry. (Which proposal may enact which version is checked by the
  proposals app, which owns proposals: `proposals/triggers.py`.)
- (The hash chains, the journal's included, are guarded by the kernel:
  `kernel/triggers.py`.)

The SQL helpers at the end (`FOUNDED`, `current_rule`) let other apps' guards
ask the same questions of the record.
"""

from __future__ import annotations

from governance.parameters import PARAMETERS_ARTICLE, GovernanceParameters
from kernel.guards import Dialect, Guard, Rule, TriggerSet

# The community is founded once its journal has an entry; the journal never
# loses one. Before that, the founding act writes what it adopts.
FOUNDED = "EXISTS (SELECT 1 FROM governance_journalentry)"

CURRENT_RULES = (
    "(SELECT v.parameters FROM governance_bylawversion v "
    "JOIN governance_bylawarticle ar ON ar.id = v.article_id "
    f"WHERE ar.slug = '{PARAMETERS_ARTICLE}' ORDER BY v.number DESC LIMIT 1)"
)
_DEFAULTS = GovernanceParameters().to_json()


def current_rule(d: Dialect, name: str) -> str:
    """SQL for one decision-rule value in force (its default before founding)."""
    default = _DEFAULTS[name]
    if isinstance(default, bool):
        raise ValueError("compare boolean rules with json_true")
    if isinstance(default, int):
        return f"COALESCE({d.json_int(CURRENT_RULES, name)}, {default})"
    return f"COALESCE({d.json_text(CURRENT_RULES, name)}, '{default}')"


MSG_NUMBER = "bylaw guard: bylaw version numbers must follow on without gaps"
MSG_NO_PROPOSAL = (
    "bylaw guard: a bylaw version without an enacting proposal can only be version 1, "
    "written by the founding act"
)
MSG_NOT_NOW = "bylaw guard: a bylaw version is enacted now, not backdated"


def guards() -> TriggerSet:
    return TriggerSet(
        guards=(
            Guard(
                "governance_bylawversion",
                "INSERT",
                (
                    Rule(
                        MSG_NUMBER,
                        "NEW.number <> (SELECT COALESCE(MAX(number), 0) + 1 "
                        "FROM governance_bylawversion WHERE article_id = NEW.article_id)",
                    ),
                    Rule(
                        MSG_NO_PROPOSAL,
                        f"NEW.enacted_by_id IS NULL AND (NEW.number <> 1 OR {FOUNDED})",
                    ),
                    Rule(MSG_NOT_NOW, lambda d: f"{FOUNDED} AND {d.not_now('NEW.enacted_at')}"),
                ),
            ),
        ),
        append_only={
            "governance_bylawarticle": "bylaw guard: bylaw articles cannot be changed or deleted",
            "governance_bylawversion": (
                "bylaw guard: bylaw versions are append-only; an article changes only by "
                "enactment of a passed proposal"
            ),
        },
    )
