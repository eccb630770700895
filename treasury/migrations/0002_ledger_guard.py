"""Opened the standard accounts and installed the ledger guard. Both now happen
after every `migrate`: the accounts by `treasury.apps`, the guards by the
kernel (`kernel/guards.py`)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("treasury", "0001_initial"),
        ("governance", "0003_bylaw_guard"),
        ("proposals", "0001_initial"),
    ]

    operations = []
