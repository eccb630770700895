"""The kernel takes over the chain heads' table from the governance app, as it
is (`governance_chainhead`): nothing changes in the database."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("governance", "0003_bylaw_guard")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ChainHead",
                    fields=[
                        (
                            "name",
                            models.CharField(max_length=32, primary_key=True, serialize=False),
                        ),
                        ("seq", models.PositiveBigIntegerField(default=0)),
                        ("hash", models.CharField(max_length=64)),
                    ],
                    options={"db_table": "governance_chainhead"},
                )
            ],
            database_operations=[],
        )
    ]
