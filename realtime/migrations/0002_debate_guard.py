"""Install the debate guard triggers (append-only logs, arguments never deleted)."""

from django.db import migrations

from realtime import triggers


def install(apps, schema_editor):
    triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("realtime", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
