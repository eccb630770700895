"""Domain errors of the treasury (see `kernel.errors`)."""

from kernel.errors import Conflict, InvalidInput, NotAllowed


class Unbalanced(InvalidInput):
    code = "unbalanced"


class UnknownAccount(InvalidInput):
    code = "unknown_account"


class OverBudget(Conflict):
    code = "over_budget"


class NoBudgetLine(InvalidInput):
    code = "no_budget_line"


class SelfApproval(NotAllowed):
    code = "self_approval"


class NotTreasurer(NotAllowed):
    code = "not_treasurer"


class DuplicateReference(Conflict):
    code = "duplicate_reference"


class LedgerGuard(Conflict):
    """The database's ledger guard refused a write."""

    code = "ledger_guard"


class ImportRejected(InvalidInput):
    """A bank statement with bad rows; nothing of it was recorded."""

    code = "import_rejected"

    def __init__(self, message: str, *, problems: list[tuple[int, str]]):
        super().__init__(message)
        self.problems = problems
