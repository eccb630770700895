"""Once installed the debate guard; guards are now code, installed after every
`migrate` by the kernel (`kernel/guards.py`), so this step does nothing."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("realtime", "0001_initial")]

    operations = []
