from kernel.errors import Conflict, InvalidInput, NotAllowed, RateLimited


class AlreadyLeft(Conflict):
    code = "already_left"


class NotAMember(InvalidInput):
    code = "not_a_member"


class RoleAlreadyHeld(Conflict):
    code = "role_already_held"


class RoleNotHeld(Conflict):
    code = "role_not_held"


class StandingConflict(Conflict):
    code = "standing"


class NotSteward(NotAllowed):
    code = "not_steward"


class InvalidCredentials(InvalidInput):
    code = "invalid_credentials"


class AdmissionNotByApproval(Conflict):
    code = "admission_open"


class NoAuthority(NotAllowed):
    """Nothing in the record authorizes this change (no founding act, no
    enacted proposal containing it)."""

    code = "no_authority"


class TooManyLoginAttempts(RateLimited):
    code = "too_many_login_attempts"


class BylawsChanged(Conflict):
    """The bylaws in force changed after they were shown to the applicant."""

    code = "bylaws_changed"
