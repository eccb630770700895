"""Install the bylaw guard triggers and the chain heads."""

from django.db import migrations

from governance import triggers
from governance.chain import GENESIS_PREV


def install_guard(apps, schema_editor):
    triggers.install(schema_editor.connection)


def uninstall_guard(apps, schema_editor):
    triggers.uninstall(schema_editor.connection)


def create_heads(apps, schema_editor):
    ChainHead = apps.get_model("governance", "ChainHead")
    for name in ("governance", "ledger"):
        ChainHead.objects.get_or_create(name=name, defaults={"seq": 0, "hash": GENESIS_PREV})


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0002_initial"),
        ("proposals", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_heads, migrations.RunPython.noop),
        migrations.RunPython(install_guard, uninstall_guard),
    ]
