"""What the red-team tests of the decision process share: the words the
guards answer with, two amendments, the rows to compare, and the forgery of
a pass (the fixtures `people` and `lost_vote` are in conftest.py)."""

from __future__ import annotations

from datetime import timedelta

from governance.models import BylawVersion
from proposals.models import Proposal
from tests.guards.helpers import rows

EDGE = "moves only along the steps of the decision process"
SUBMIT = "is submitted now, under the decision rules in force"
EARLY = "a phase ends only when its time is over"
NOTICE = "legal-structure changes, and only they, go through notice"
ROLL = "voting opens with a roll of exactly the members eligible then"
ROLL_FROZEN = "an electorate roll is frozen once voting opens"
CLOSE = "a vote closes after its window, with counts equal to the ballots"
ENACT = "is enacted after its timelock, now, with every change it contains written"
DATES = "each date of a proposal is written only by its own step"
FROZEN = "the rules and schedule of a submitted proposal are frozen"
FROZEN_TEXT = "the text is frozen once discussion is over"
TALLY = "a decided tally is final"
CONTENTS = "the contents of a proposal are frozen once discussion is over"
REVISION = "revisions are kept in order and never changed"
COAUTHOR = "co-authors are members in good standing invited while the text can change"
BALLOT = "ballots are cast only while voting is open, by the electorate in good standing, now"
BALLOT_CHANGE = (
    "a ballot changes only its choice, while voting is open, by its voter in good standing, now"
)

LEGAL_FORM = {
    "article_slug": "legal-form",
    "new_title": "Legal form",
    "new_class": "entrenched",
    "new_text": "The association is a company with shareholders.",
}
MODERATION = {
    "article_slug": "moderation",
    "new_title": "Moderation",
    "new_class": "ordinary",
    "new_text": "Stewards hide messages with a public reason, reviewed by another steward.",
}


def proposal_rows(proposal):
    return rows(Proposal, pk=proposal.pk)


def bylaws():
    return rows(BylawVersion)


def forge_pass(proposal, **fields):
    timelock = timedelta(days=proposal.rules["timelock_days"])
    return Proposal.objects.filter(pk=proposal.pk).update(
        state="passed",
        closed_at=proposal.voting_closes_at,
        enactable_at=proposal.voting_closes_at + timelock,
        **fields,
    )
