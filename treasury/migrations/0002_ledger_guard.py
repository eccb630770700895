"""Open the standard accounts and the general fund, and install the ledger guard."""

from django.db import migrations

from treasury import triggers
from treasury.chart import GENERAL_FUND, STANDARD_ACCOUNTS


def open_accounts(apps, schema_editor):
    Account = apps.get_model("treasury", "Account")
    Fund = apps.get_model("treasury", "Fund")
    for code, name, kind in STANDARD_ACCOUNTS:
        Account.objects.get_or_create(code=code, defaults={"name": name, "type": kind})
    Fund.objects.get_or_create(
        slug=GENERAL_FUND["slug"],
        defaults={k: v for k, v in GENERAL_FUND.items() if k != "slug"},
    )


def install_guard(apps, schema_editor):
    triggers.install(schema_editor.connection)


def uninstall_guard(apps, schema_editor):
    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("treasury", "0001_initial"),
        ("governance", "0003_bylaw_guard"),
        ("proposals", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(open_accounts, migrations.RunPython.noop),
        migrations.RunPython(install_guard, uninstall_guard),
    ]
