"""The founding act, from the command line.

    manage.py found_community --name "Velo Hosts" --founder alice \\
        --steward carol --treasurer bob --auditor ada [--charter charter.json]

It adopts the charter (the default one, or the JSON file given) as version 1
of every article, appoints the first role holders and writes journal entry 1.
It runs once: afterwards the bylaws change only by vote."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance import selectors
from governance.charter import validate_charter
from kernel.errors import DomainError
from members import services
from members.models import Member
from members.roles import APPOINTED_ROLES

ROLE_OPTIONS = tuple(role.value for role in APPOINTED_ROLES)


def _members(usernames: list[str], what: str) -> list[Member]:
    found = {m.username: m for m in Member.objects.filter(username__in=usernames)}
    unknown = [name for name in usernames if name not in found]
    if unknown:
        raise CommandError(
            f"Unknown {what} username(s): {', '.join(unknown)}. "
            "Create the accounts first (they sign up, or use createsuperuser)."
        )
    # Keep the order given, once each.
    return list({name: found[name] for name in usernames}.values())


def load_charter(path: str) -> list[dict]:
    """Read a charter file; `governance.charter.validate_charter` judges it."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"Cannot read the charter file {path}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"The charter file {path} is not valid JSON: {exc}") from exc
    try:
        return validate_charter(data)
    except DomainError as exc:
        raise CommandError(exc.message) from exc


class Command(BaseCommand):
    help = "Found the community: adopt the charter and appoint the first role holders (once)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="the community's name")
        parser.add_argument(
            "--founder",
            action="append",
            default=[],
            metavar="USERNAME",
            help="a founder (repeat for several); at least one",
        )
        for role in ROLE_OPTIONS:
            parser.add_argument(
                f"--{role}",
                action="append",
                default=[],
                metavar="USERNAME",
                help=f"a first {role} (repeatable)",
            )
        parser.add_argument(
            "--charter", metavar="FILE.json", help="the charter to adopt (default: built-in)"
        )

    def handle(self, *args, **options):
        name = options["name"].strip()
        if not name:
            raise CommandError("--name must not be empty.")
        if selectors.is_founded():
            raise CommandError(
                f"The community “{selectors.community_name()}” has already been founded; "
                "the founding act happens once. The bylaws now change only by vote."
            )
        if not options["founder"]:
            raise CommandError("Name at least one founder with --founder USERNAME.")
        founders = _members(options["founder"], "founder")
        appointments = {
            role: _members(options[role], role) for role in ROLE_OPTIONS if options[role]
        }
        charter = load_charter(options["charter"]) if options["charter"] else None
        try:
            genesis = services.found_community(
                community=name, founders=founders, appointments=appointments, charter=charter
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        except (KeyError, TypeError, ValueError) as exc:
            raise CommandError(f"The charter could not be adopted: {exc}") from exc
        head_seq, head_hash = selectors.journal_head()
        self.stdout.write(
            self.style.SUCCESS(
                f"Founded “{name}”: {len(genesis.payload['charter'])} articles adopted. "
                f"Journal head {head_seq}:{head_hash} — save it."
            )
        )
