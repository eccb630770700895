from kernel.errors import Conflict, InvalidInput, NotAllowed


class GuardViolation(NotAllowed):
    """A guarded thing (bylaws, rules, journal) was to change outside enactment."""

    code = "bylaw_guard"


class NotEnactable(Conflict):
    code = "not_enactable"


class AlreadyFounded(Conflict):
    code = "already_founded"


class InvalidAmendment(InvalidInput):
    code = "invalid_amendment"
