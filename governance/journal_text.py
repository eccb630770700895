"""Journal entries as sentences people can read.

The journal stores facts: a kind (`proposal.submitted`), a username and a
JSON payload. The public journal page shows each entry as a sentence in the
reader's language ("Bob Lefèvre submitted the proposal “Budget for the
gathering”"), with the raw record one click away.

Governance keeps the journal but knows nothing of the apps that write to it
(architecture.md: a lower app never imports a higher one). So this module
is a registry: each app says how its own kinds read, in its own
`journal_text.py`, imported by its `AppConfig.ready()`:

    # contributions/journal_text.py
    from django.urls import NoReverseMatch, reverse
    from django.utils.translation import gettext as _
    from django.utils.translation import gettext_lazy
    from governance.journal_text import Sentence, register

    def _offered(entry, reading):
        return Sentence(
            _("%(who)s offered to help with “%(need)s”.")
            % {"who": reading.person(entry.actor), "need": entry.payload["need_title"]},
            link=reverse("contributions:need", args=[entry.payload["need"]]),
            link_text=_("The need"),
        )

    register(
        "contribution.offered",
        _offered,
        label=gettext_lazy("Help offered"),
        example={"need": 3, "need_title": "Repaint the shed"},
    )

    # contributions/apps.py, in ready():
    from contributions import journal_text  # noqa: F401  (registers the sentences)

`tests/governance/test_journal_text.py` fails for any kind an app writes
without registering a sentence, and renders every registered `example`
payload in English and French. Until a kind is registered, the page says
"An entry of kind …" rather than failing.

People: the journal names them by username. `read()` looks up every
username a page mentions (actors, and the payload keys a kind lists in
`people=`) in one query, through the function the members app registers
with `register_people`, so a page shows display names.

Objects: a sentence that needs more than its payload (a proposal's title)
names a `load` function. `read()` calls each such function once per page,
with every entry that asked for it, so a page costs the same number of
queries whatever its entries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.models import JournalEntry

logger = logging.getLogger(__name__)

__all__ = [
    "KindText",
    "ReadEntry",
    "Reading",
    "Sentence",
    "kind_label",
    "kind_text",
    "parse_moment",
    "read",
    "register",
    "register_people",
    "registered",
]


@dataclass(frozen=True)
class Sentence:
    """What an entry says, as plain text (the page escapes it), and where the
    thing it is about can be seen, if anywhere."""

    text: str
    link: str = ""
    link_text: str = ""


Loader = Callable[[Sequence[JournalEntry]], Any]


class Reading:
    """What one page knows beyond its entries: people's display names and
    whatever the kinds on it asked to load."""

    def __init__(self, names: Mapping[str, str], loaded: Mapping[Loader, Any]):
        self._names = names
        self._loaded = loaded

    def person(self, username: str | None) -> str:
        """The display name of a person the journal names by username (the
        username itself if they have none, or no longer exist)."""
        if not username:
            return _("the system")
        return self._names.get(username) or username

    def people(self, usernames: Iterable[str]) -> str:
        """Several people, as a list in the reader's language."""
        names = [self.person(u) for u in usernames]
        if not names:
            return _("nobody")
        if len(names) == 1:
            return names[0]
        return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}

    def loaded(self, loader: Loader) -> Any:
        """What `loader` returned for this page (an empty dict if nothing on
        the page asked for it)."""
        return self._loaded.get(loader, {})


Describe = Callable[[JournalEntry, Reading], Sentence]


@dataclass(frozen=True)
class KindText:
    """How one kind of entry (or every kind under a prefix ending in ".") reads."""

    key: str
    describe: Describe
    label: str | Promise
    # Payload keys that hold usernames (a string or a list of strings).
    people: tuple[str, ...] = ()
    load: Loader | None = None
    # A payload as the service writes it: documents the format next to the
    # sentence that reads it, and is what the tests render.
    example: Mapping[str, Any] | None = None
    example_actor: str = ""


_KINDS: dict[str, KindText] = {}
_PREFIXES: dict[str, KindText] = {}
_people_lookup: list[Callable[[set[str]], Mapping[str, str]]] = []


def register(
    kind: str,
    describe: Describe,
    *,
    label: str | Promise,
    people: Iterable[str] = (),
    load: Loader | None = None,
    example: Mapping[str, Any] | None = None,
    example_actor: str = "",
) -> None:
    """Say how entries of `kind` read. A `kind` ending in "." covers every
    kind under that prefix that has no registration of its own.

    Registering the same kind twice from one module replaces it (app loading
    may run twice in tests); from two modules is a mistake and refused."""
    registry = _PREFIXES if kind.endswith(".") else _KINDS
    text = KindText(
        key=kind,
        describe=describe,
        label=label,
        people=tuple(people),
        load=load,
        example=example,
        example_actor=example_actor,
    )
    existing = registry.get(kind)
    if existing is not None and existing.describe.__module__ != describe.__module__:
        raise ImproperlyConfigured(
            f"Journal kind {kind!r} is described by both {existing.describe.__module__} "
            f"and {describe.__module__}"
        )
    registry[kind] = text


def register_people(lookup: Callable[[set[str]], Mapping[str, str]]) -> None:
    """The function that maps usernames to display names (the members app).
    Registering again replaces it."""
    _people_lookup[:] = [lookup]


def kind_text(kind: str) -> KindText | None:
    """The registration that describes `kind`: its own, else the longest prefix."""
    if kind in _KINDS:
        return _KINDS[kind]
    matches = [text for prefix, text in _PREFIXES.items() if kind.startswith(prefix)]
    return max(matches, key=lambda t: len(t.key)) if matches else None


def registered() -> list[KindText]:
    """Every registration, kinds then prefixes."""
    return [*_KINDS.values(), *_PREFIXES.values()]


def kind_label(kind: str) -> str:
    """The human name of a kind, for the journal's filter."""
    text = kind_text(kind)
    if text is None:
        return kind
    return str(text.label)


def _unknown(entry: JournalEntry, reading: Reading) -> Sentence:
    return Sentence(_("An entry of kind “%(kind)s”.") % {"kind": entry.kind})


@dataclass
class ReadEntry:
    """One entry as a page shows it."""

    entry: JournalEntry
    sentence: Sentence
    label: str
    at: datetime | None


def _usernames(entries: Sequence[JournalEntry]) -> set[str]:
    found: set[str] = set()
    for entry in entries:
        if entry.actor:
            found.add(entry.actor)
        text = kind_text(entry.kind)
        for key in text.people if text else ():
            value = entry.payload.get(key) if isinstance(entry.payload, dict) else None
            if isinstance(value, str) and value:
                found.add(value)
            elif isinstance(value, list):
                found.update(v for v in value if isinstance(v, str) and v)
    return found


def reading_for(entries: Sequence[JournalEntry]) -> Reading:
    """Names and loaded objects for these entries: one query for the names,
    one call of each loader the entries' kinds name."""
    usernames = _usernames(entries)
    names: Mapping[str, str] = {}
    if usernames and _people_lookup:
        names = _people_lookup[0](usernames)
    wanted: dict[Loader, list[JournalEntry]] = {}
    for entry in entries:
        text = kind_text(entry.kind)
        if text is not None and text.load is not None:
            wanted.setdefault(text.load, []).append(entry)
    loaded = {loader: loader(group) for loader, group in wanted.items()}
    return Reading(names, loaded)


def parse_moment(value: str | None) -> datetime | None:
    """A chain timestamp ("2026-11-30T16:45:00.000000Z") as an aware datetime."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def read(entries: Sequence[JournalEntry]) -> list[ReadEntry]:
    """Each entry with its sentence in the active language, in a constant
    number of queries for the whole list."""
    entries = list(entries)
    reading = reading_for(entries)
    result = []
    for entry in entries:
        text = kind_text(entry.kind)
        describe = text.describe if text is not None else _unknown
        try:
            sentence = describe(entry, reading)
        except (KeyError, TypeError, ValueError, AttributeError):
            # The journal is history: an entry written in a shape this code
            # no longer expects must not take the public page down with it.
            logger.exception(
                "journal entry %s (%s) has no readable sentence", entry.seq, entry.kind
            )
            sentence = _unknown(entry, reading)
        result.append(
            ReadEntry(
                entry=entry,
                sentence=sentence,
                label=kind_label(entry.kind),
                at=parse_moment(entry.at),
            )
        )
    return result


# --- The kinds governance writes itself ----------------------------------------------------


def _version_created(entry: JournalEntry, reading: Reading) -> Sentence:
    payload = entry.payload
    return Sentence(
        _(
            "Version %(version)s of the article “%(title)s” came into force, enacted by "
            "proposal #%(proposal)s."
        )
        % {
            "version": payload["version"],
            "title": payload["title"],
            "proposal": payload["proposal"],
        },
        link=reverse("governance:article", args=[payload["article"]]),
        link_text=_("History of the article"),
    )


def _guard_target(target: str) -> str:
    if target == "bylaws":
        return _("the bylaws")
    if target.startswith("bylaw:"):
        return _("the article “%(slug)s”") % {"slug": target.removeprefix("bylaw:")}
    return _("the record %(target)s") % {"target": target}


def _guard_refused(entry: JournalEntry, reading: Reading) -> Sentence:
    payload = entry.payload
    target = str(payload.get("target", ""))
    channels = {"api": _("the API"), "admin": _("the admin")}
    text = _("%(who)s tried to change %(target)s through %(channel)s; it was refused.") % {
        "who": reading.person(entry.actor),
        "target": _guard_target(target),
        "channel": channels.get(payload.get("path"), payload.get("path", "")),
    }
    if payload.get("further_attempts_this_hour"):
        text += " " + _("Further attempts this hour are not journaled.")
    if target.startswith("bylaw:"):
        try:
            link = reverse("governance:article", args=[target.removeprefix("bylaw:")])
        except NoReverseMatch:  # a target typed by the caller, not an article's slug
            return Sentence(text)
        return Sentence(text, link=link, link_text=_("History of the article"))
    return Sentence(text)


register(
    "bylaw.version_created",
    _version_created,
    label=gettext_lazy("New version of an article"),
    example={
        "article": "dues",
        "version": 2,
        "title": "Membership dues",
        "class": "ordinary",
        "text_sha256": "0" * 64,
        "parameters": None,
        "proposal": 7,
    },
)
register(
    "guard.refused",
    _guard_refused,
    label=gettext_lazy("Refused attempt to change the bylaws"),
    example={"path": "api", "target": "bylaw:purpose", "reason": "PUT /api/v1/bylaws/purpose/"},
    example_actor="mallory",
)
