"""Recount a proposal's ballots and compare with its running tally."""

from django.core.management.base import BaseCommand, CommandError

from proposals.models import Proposal
from proposals.services import recount


class Command(BaseCommand):
    help = "Recount the ballots of PROPOSAL and show that the running tally agrees."

    def add_arguments(self, parser):
        parser.add_argument("proposal", type=int, help="proposal number")

    def handle(self, *args, proposal, **options):
        found = Proposal.objects.filter(pk=proposal).first()
        if found is None:
            raise CommandError(f"There is no proposal #{proposal}.")
        counted = recount(found)
        kept = {"yes": found.yes_count, "no": found.no_count, "abstain": found.abstain_count}
        self.stdout.write(f"proposal #{found.pk} “{found.title}” ({found.get_state_display()})")
        for choice in ("yes", "no", "abstain"):
            self.stdout.write(
                f"  {choice:8} tally {kept[choice]:>8}   ballots {counted[choice]:>8}"
            )
        if counted != kept:
            raise CommandError("The running tally differs from the ballots.")
        self.stdout.write(self.style.SUCCESS("The running tally agrees with the ballots."))
