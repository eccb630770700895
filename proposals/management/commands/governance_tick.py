"""Move every proposal whose time has come (open voting, close, enact).

Idempotent and safe to run from several servers at once; each Daphne process
already runs it every GOVERNANCE_TICK_SECONDS. For cron or a systemd timer:
    */5 * * * * cd /srv/commons && .venv/bin/python manage.py governance_tick
"""

from django.core.management.base import BaseCommand

from proposals.services import governance_tick


class Command(BaseCommand):
    help = "Apply every due proposal transition (idempotent)."

    def handle(self, *args, **options):
        moved = governance_tick()
        for proposal_id, state in moved:
            self.stdout.write(f"proposal #{proposal_id}: {state}")
        self.stdout.write(self.style.SUCCESS(f"{len(moved)} proposal(s) advanced"))
