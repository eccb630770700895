"""What a proposal contains (text revisions, amendments, budget items,
appointments, co-authors): changed only while the text may change."""

from __future__ import annotations

from kernel.guards import Guard, Rule
from members.triggers import in_good_standing
from proposals.triggers.rules import EDITABLE, MSG_COAUTHOR, MSG_CONTENTS, MSG_REVISION

# --- what a proposal contains ----------------------------------------------------------------


def _state_of(row: str, column: str = "proposal_id") -> str:
    return f"(SELECT cp.state FROM proposals_proposal cp WHERE cp.id = {row}.{column})"


def contents_guards() -> list[Guard]:
    guards = []
    for table in ("proposals_amendment", "proposals_budgetitem", "proposals_appointment"):
        guards += [
            Guard(
                table, "INSERT", (Rule(MSG_CONTENTS, f"{_state_of('NEW')} NOT IN ({EDITABLE})"),)
            ),
            Guard(
                table,
                "UPDATE",
                (
                    Rule(
                        MSG_CONTENTS,
                        "NEW.proposal_id <> OLD.proposal_id "
                        f"OR {_state_of('NEW')} NOT IN ({EDITABLE})",
                    ),
                ),
            ),
            Guard(
                table, "DELETE", (Rule(MSG_CONTENTS, f"{_state_of('OLD')} NOT IN ({EDITABLE})"),)
            ),
        ]
    next_number = (
        "(SELECT COALESCE(MAX(pr.number), 0) + 1 FROM proposals_proposalrevision pr "
        "WHERE pr.proposal_id = NEW.proposal_id)"
    )
    guards += [
        Guard(
            "proposals_proposalrevision",
            "INSERT",
            (
                Rule(
                    MSG_REVISION,
                    f"{_state_of('NEW')} NOT IN ({EDITABLE}) OR NEW.number <> {next_number}",
                ),
            ),
        ),
        Guard("proposals_proposalrevision", "UPDATE", (Rule(MSG_REVISION, "TRUE"),)),
        # A draft may be deleted with its revisions; nothing else is.
        Guard(
            "proposals_proposalrevision",
            "DELETE",
            (Rule(MSG_REVISION, f"{_state_of('OLD')} <> 'draft'"),),
        ),
    ]
    change_proposal = (
        "(SELECT perm.id FROM auth_permission perm JOIN django_content_type ct "
        "ON ct.id = perm.content_type_id WHERE ct.app_label = 'proposals' "
        "AND ct.model = 'proposal' AND perm.codename = 'change_proposal')"
    )
    coauthor_table = "proposals_proposaluserobjectpermission"
    guards += [
        Guard(
            coauthor_table,
            "INSERT",
            (
                Rule(
                    MSG_COAUTHOR,
                    lambda d: (
                        f"{d.distinct('NEW.permission_id', change_proposal)} "
                        "OR NOT EXISTS (SELECT 1 FROM proposals_proposal cp "
                        f"WHERE cp.id = NEW.content_object_id AND cp.state IN ({EDITABLE}) "
                        f"AND cp.author_id <> NEW.user_id) OR NOT {in_good_standing('NEW.user_id')}"
                    ),
                ),
            ),
        ),
        Guard(coauthor_table, "UPDATE", (Rule(MSG_COAUTHOR, "TRUE"),)),
        Guard(
            coauthor_table,
            "DELETE",
            (Rule(MSG_COAUTHOR, f"{_state_of('OLD', 'content_object_id')} <> 'draft'"),),
        ),
    ]
    return guards
