"""The chain heads now belong to the kernel (kernel/migrations/0001), which
keeps their table: only Django's record of the model moves."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("governance", "0003_bylaw_guard"), ("kernel", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ChainHead")],
            database_operations=[],
        )
    ]
