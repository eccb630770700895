"""The bylaw guard's own tables: articles, versions, the hash chains.

- Bylaw articles and versions, and every chain's entries, are append-only.
- A bylaw version follows the previous number; one without an enacting
  proposal is version 1 written by the founding act, before the journal's
  first entry. (Which proposal may enact which version is checked by the
  proposals app, which owns proposals: `proposals/triggers.py`.)
- An entry of any chain (the journal, the ledger, the time ledger) is
  accepted only if it follows its chain's head, and written now; the head
  row only moves forward by one, to the entry just written.

The SQL helpers at the end (`FOUNDED`, `current_rule`) let other apps' guards
ask the same questions of the record.
"""

from __future__ import annotations

from django.apps import apps

from governance.chain import GENESIS_PREV
from governance.models import ChainedEntry
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


def chains() -> list[type[ChainedEntry]]:
    """Every hash chain's entry model, found among the installed models."""
    return sorted(
        (m for m in apps.get_models() if issubclass(m, ChainedEntry) and m.chain_name),
        key=lambda m: m.chain_name,
    )


def _chain_guards() -> list[Guard]:
    guards = []
    for model in chains():
        table = model._meta.db_table
        head = f"(SELECT h.{{}} FROM governance_chainhead h WHERE h.name = '{model.chain_name}')"
        guards.append(
            Guard(
                table,
                "INSERT",
                (
                    Rule(
                        f"chain guard: an entry of the {model.chain_name} chain follows its head",
                        lambda d, head=head: (
                            f"{d.distinct('NEW.seq', head.format('seq') + ' + 1')} "
                            f"OR {d.distinct('NEW.prev', head.format('hash'))}"
                        ),
                    ),
                    Rule(
                        f"chain guard: an entry of the {model.chain_name} chain is written now",
                        lambda d: d.not_now(d.timestamp("NEW.at")),
                    ),
                ),
            )
        )

    def entry_missing(d: Dialect) -> str:
        cases = " ".join(
            f"WHEN '{m.chain_name}' THEN NOT EXISTS (SELECT 1 FROM {m._meta.db_table} e "
            "WHERE e.seq = NEW.seq AND e.hash = NEW.hash AND e.prev = OLD.hash)"
            for m in chains()
        )
        return f"(CASE NEW.name {cases} ELSE TRUE END)"

    guards += [
        Guard(
            "governance_chainhead",
            "INSERT",
            (
                Rule(
                    "chain guard: a chain starts empty",
                    f"NEW.seq <> 0 OR NEW.hash <> '{GENESIS_PREV}'",
                ),
            ),
        ),
        Guard(
            "governance_chainhead",
            "UPDATE",
            (
                Rule(
                    "chain guard: a chain head moves forward by one entry, to the entry just "
                    "written",
                    lambda d: (
                        f"NEW.name <> OLD.name OR NEW.seq <> OLD.seq + 1 OR {entry_missing(d)}"
                    ),
                ),
            ),
        ),
    ]
    return guards


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
            *_chain_guards(),
        ),
        append_only={
            "governance_bylawarticle": "bylaw guard: bylaw articles cannot be changed or deleted",
            "governance_bylawversion": (
                "bylaw guard: bylaw versions are append-only; an article changes only by "
                "enactment of a passed proposal"
            ),
            **{
                m._meta.db_table: f"chain guard: the {m.chain_name} chain is append-only"
                for m in chains()
            },
        },
        no_delete={"governance_chainhead": "chain guard: a chain head is never removed"},
    )
