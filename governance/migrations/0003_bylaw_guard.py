"""Created the chain heads and installed the bylaw guard. Both now happen after
every `migrate`: the heads by `governance.apps`, the guards by the kernel
(`kernel/guards.py`), so a database flushed by the test suite gets them back."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0002_initial"),
        ("proposals", "0001_initial"),
    ]

    operations = []
