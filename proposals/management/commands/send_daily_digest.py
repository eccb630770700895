"""Email each member the day's notifications and today's journal head.

Members thereby hold dated checkpoints of the governance journal that the
operator cannot recall. Run once a day (cron: `0 6 * * *`)."""

from django.core.management.base import BaseCommand

from proposals.services import send_daily_digest


class Command(BaseCommand):
    help = "Send the members' daily digest with the governance journal head."

    def handle(self, *args, **options):
        sent = send_daily_digest()
        self.stdout.write(self.style.SUCCESS(f"digest sent to {sent} member(s)"))
