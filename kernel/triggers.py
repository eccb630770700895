"""The guards of every hash chain (the journal, the ledger, the time ledger…):

- an entry is accepted only if it follows its chain's head, and is written
  now; entries are append-only;
- a head starts empty, moves forward by one, to the entry just written, and
  is never removed.

The chains are found among the installed models (`kernel.chains.chains`), so
a new chain is guarded from its first migration.
"""

from __future__ import annotations

from kernel.chain import GENESIS_PREV
from kernel.chains import chains
from kernel.guards import Dialect, Guard, Rule, TriggerSet


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


def guards() -> TriggerSet:
    return TriggerSet(
        guards=tuple(_chain_guards()),
        append_only={
            m._meta.db_table: f"chain guard: the {m.chain_name} chain is append-only"
            for m in chains()
        },
        no_delete={"governance_chainhead": "chain guard: a chain head is never removed"},
    )
