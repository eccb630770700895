"""Create the demo community ("Demo Commons") once.

Idempotent: when the database already holds members or a journal, it changes
nothing. `make run` calls it with --if-empty on every start."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from demo import community as demo


class Command(BaseCommand):
    help = "Seed the demo community (members, charter, proposals, treasury, debates)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Say nothing more than a line when the database already has data.",
        )

    def handle(self, *args, if_empty=False, **options):
        if demo.is_seeded():
            self.stdout.write("The database already holds a community; nothing seeded.")
            return
        # The replayed year would otherwise email every member dozens of times;
        # tallies are announced at the commit, before this command exits.
        with (
            override_settings(
                EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
                REALTIME_TALLY_INTERVAL=0,
            ),
            transaction.atomic(),
        ):
            summary = demo.seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {demo.COMMUNITY}: {summary['members']} members, "
                f"{summary['proposals']} proposals ({', '.join(summary['states'])})."
            )
        )
        self.stdout.write(
            "Logins (password commons-demo): alice (founder), bob (treasurer), "
            "carol (steward), ada (auditor), dave, erin, frank."
        )
