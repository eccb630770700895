"""Demo debates for `seed_demo`: a few realistic arguments in French and
English, replies, and one message hidden by a steward with a public reason.
Everything goes through the services, as a person would do it."""

from __future__ import annotations

from debates import services
from debates.permissions import is_open_for_posting
from members.roles import Role
from members.selectors import has_role, is_member
from proposals.models import State

ARGUMENTS = [
    ("pro", "Les vélos partagés ont doublé l'an dernier : **il nous faut plus d'abris**.", None),
    ("contra", "The budget is tight this year. Could we *wait* for the regional grant?", None),
    ("question", "Qui s'occupera de l'entretien une fois les travaux terminés ?", None),
    ("reply", "The makers' space offered to run a monthly repair evening.", 2),
    ("reply", "Bonne idée ! Je peux aider le premier samedi du mois.", 2),
    ("pro", "Seniors told us at the last meeting that they would come more often.", None),
]
HIDDEN = ("pro", "BUY CHEAP WATCHES >>> http://spam.example", None)
HIDDEN_REASON = "Advertising, nothing to do with the proposal."


def _people(members) -> list:
    people = list(members.values()) if isinstance(members, dict) else list(members)
    return [person for person in people if is_member(person)]


def seed_debates(*, proposals, members) -> int:
    """Post the demo debate on the first open proposals; returns arguments made."""
    people = _people(members)
    stewards = [person for person in people if has_role(person, Role.STEWARD)]
    speakers = [person for person in people if person not in stewards] or people
    if not people:
        return 0
    open_proposals = [p for p in proposals if is_open_for_posting(p) and p.state != State.DRAFT]
    made = 0
    for number, proposal in enumerate(open_proposals[:2]):
        posted = []
        for index, (stance, body, thread) in enumerate(ARGUMENTS):
            author = speakers[(index + number) % len(speakers)]
            parent = posted[thread] if thread is not None else None
            argument = services.post_argument(
                actor=author,
                proposal_id=proposal.pk,
                body=body,
                stance="" if parent else stance,
                parent_id=parent.pk if parent else None,
            )
            posted.append(argument)
            made += 1
        if number == 0 and stewards:
            stance, body, _thread = HIDDEN
            spam = services.post_argument(
                actor=speakers[-1], proposal_id=proposal.pk, body=body, stance=stance
            )
            services.hide_argument(actor=stewards[0], argument_id=spam.pk, reason=HIDDEN_REASON)
            made += 1
    return made
