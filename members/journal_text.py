"""How the journal entries the members app writes read on the journal page
(the registry is `governance/journal_text.py`), and the display names the
page shows instead of usernames."""

from __future__ import annotations

from collections.abc import Mapping

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from governance.journal_text import Reading, Sentence, register, register_people
from governance.models import JournalEntry
from members.models import Member
from members.roles import Role


def display_names(usernames: set[str]) -> Mapping[str, str]:
    """Usernames → the names members chose, in one query."""
    rows = Member.objects.filter(username__in=usernames).values_list("username", "display_name")
    return {username: display_name or username for username, display_name in rows}


def _role(value: str) -> str:
    try:
        return str(Role(value).label).lower()
    except ValueError:
        return value


def _profile(username: str) -> str:
    return reverse("members:profile", args=[username]) if username else ""


def _genesis(entry: JournalEntry, reading: Reading) -> Sentence:
    payload = entry.payload
    founders = payload.get("founders", [])
    articles = len(payload.get("charter", []))
    members = len(payload.get("members", []))
    parts = [
        ngettext(
            "%(community)s was founded, with %(founders)s as founder.",
            "%(community)s was founded, with %(founders)s as founders.",
            len(founders),
        )
        % {"community": payload.get("community", ""), "founders": reading.people(founders)},
        ngettext(
            "Its charter of %(count)d article was adopted.",
            "Its charter of %(count)d articles was adopted.",
            articles,
        )
        % {"count": articles},
        ngettext(
            "%(count)d member was admitted by the founding act.",
            "%(count)d members were admitted by the founding act.",
            members,
        )
        % {"count": members},
    ]
    return Sentence(" ".join(parts), link=reverse("governance:bylaws"), link_text=_("The bylaws"))


def _admitted(entry: JournalEntry, reading: Reading) -> Sentence:
    member = entry.payload["member"]
    if entry.actor and entry.actor != member:
        text = _("%(steward)s admitted %(member)s as a member.") % {
            "steward": reading.person(entry.actor),
            "member": reading.person(member),
        }
    else:
        text = _("%(member)s joined the community.") % {"member": reading.person(member)}
    return Sentence(text, link=_profile(member), link_text=_("Profile"))


def _left(entry: JournalEntry, reading: Reading) -> Sentence:
    member = entry.payload["member"]
    return Sentence(
        _("%(member)s left the community.") % {"member": reading.person(member)},
        link=_profile(member),
        link_text=_("Profile"),
    )


def _suspended(entry: JournalEntry, reading: Reading) -> Sentence:
    member = entry.payload["member"]
    return Sentence(
        _("%(steward)s suspended %(member)s. Reason given: %(reason)s")
        % {
            "steward": reading.person(entry.actor),
            "member": reading.person(member),
            "reason": entry.payload.get("reason", ""),
        },
        link=_profile(member),
        link_text=_("Profile"),
    )


def _reinstated(entry: JournalEntry, reading: Reading) -> Sentence:
    member = entry.payload["member"]
    return Sentence(
        _("%(steward)s reinstated %(member)s. Reason given: %(reason)s")
        % {
            "steward": reading.person(entry.actor),
            "member": reading.person(member),
            "reason": entry.payload.get("reason", ""),
        },
        link=_profile(member),
        link_text=_("Profile"),
    )


def _proposal_link(payload) -> tuple[str, str]:
    number = payload.get("proposal")
    if payload.get("authority") == "proposal" and isinstance(number, int):
        return reverse("proposals:detail", args=[number]), _("Proposal #%(number)s") % {
            "number": number
        }
    return "", ""


def _appointed(entry: JournalEntry, reading: Reading) -> Sentence:
    payload = entry.payload
    names = {"member": reading.person(payload["member"]), "role": _role(payload["role"])}
    if payload.get("authority") == "proposal":
        names["proposal"] = payload.get("proposal")
        text = _("%(member)s became %(role)s, appointed by proposal #%(proposal)s.") % names
    else:
        text = _("%(member)s became %(role)s by the founding act.") % names
    link, link_text = _proposal_link(payload)
    return Sentence(text, link=link, link_text=link_text)


def _removed(entry: JournalEntry, reading: Reading) -> Sentence:
    payload = entry.payload
    names = {"member": reading.person(payload["member"]), "role": _role(payload["role"])}
    if payload.get("authority") == "proposal":
        names["proposal"] = payload.get("proposal")
        text = _("%(member)s is no longer %(role)s, removed by proposal #%(proposal)s.") % names
    else:
        text = _("%(member)s is no longer %(role)s: they left the community.") % names
    link, link_text = _proposal_link(payload)
    return Sentence(text, link=link, link_text=link_text)


_STANDING_EXAMPLE = {
    "member": "dave",
    "authority": "self",
    "at": "2026-03-01T10:00:00.000000Z",
    "change": 12,
}

register_people(display_names)
register(
    "genesis",
    _genesis,
    label=gettext_lazy("Founding act"),
    people=("founders",),
    example={
        "community": "Velo Hosts",
        "charter": [{"slug": "purpose", "title": "Purpose", "class": "entrenched"}],
        "founders": ["alice"],
        "members": [{"member": "alice", "admitted_at": "2026-01-01T10:00:00.000000Z"}],
        "appointments": {"steward": ["carol"]},
    },
)
register(
    "member.admitted",
    _admitted,
    label=gettext_lazy("Member admitted"),
    people=("member",),
    example=_STANDING_EXAMPLE,
)
register(
    "member.left",
    _left,
    label=gettext_lazy("Member left"),
    people=("member",),
    example=_STANDING_EXAMPLE,
    example_actor="dave",
)
register(
    "member.suspended",
    _suspended,
    label=gettext_lazy("Member suspended"),
    people=("member",),
    example={**_STANDING_EXAMPLE, "authority": "steward", "reason": "Repeated insults."},
    example_actor="carol",
)
register(
    "member.reinstated",
    _reinstated,
    label=gettext_lazy("Member reinstated"),
    people=("member",),
    example={**_STANDING_EXAMPLE, "authority": "steward", "reason": "Apologised publicly."},
    example_actor="carol",
)
register(
    "role.appointed",
    _appointed,
    label=gettext_lazy("Role given"),
    people=("member",),
    example={
        "member": "erin",
        "role": "steward",
        "reason": "",
        "authority": "proposal",
        "proposal": 5,
    },
)
register(
    "role.removed",
    _removed,
    label=gettext_lazy("Role ended"),
    people=("member",),
    example={
        "member": "erin",
        "role": "steward",
        "reason": "",
        "authority": "proposal",
        "proposal": 9,
    },
)
