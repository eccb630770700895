from kernel.errors import Conflict, InvalidInput, NotAllowed


class InvalidProposal(InvalidInput):
    code = "invalid_proposal"


class InvalidChoice(InvalidInput):
    code = "invalid_choice"


class NotAnAuthor(NotAllowed):
    code = "not_an_author"


class NotAMember(NotAllowed):
    code = "not_a_member"


class NotEligible(NotAllowed):
    """The person is not on this vote's electorate roll."""

    code = "not_eligible"


class TextFrozen(Conflict):
    code = "text_frozen"


class WrongPhase(Conflict):
    code = "wrong_phase"


class VotingClosed(Conflict):
    code = "voting_closed"


class VotingNotOpen(Conflict):
    code = "voting_not_open"


class BallotConflict(Conflict):
    """Concurrent casts kept colliding; the member may simply try again."""

    code = "ballot_conflict"
