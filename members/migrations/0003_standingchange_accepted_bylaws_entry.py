"""An application records the bylaws the applicant accepted (the journal
entry that put them in force). The constraint rebuilds the table on SQLite,
so the guards are lifted first; `migrate` reinstalls them when it ends."""

from django.db import migrations, models

from kernel.guards import lift_for_migration


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0002_roleassignment_granted_by_proposal_and_more'),
    ]

    operations = [
        migrations.RunPython(lift_for_migration, migrations.RunPython.noop),
        migrations.AddField(
            model_name='standingchange',
            name='accepted_bylaws_entry',
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name='standingchange',
            constraint=models.CheckConstraint(condition=models.Q(('accepted_bylaws_entry__isnull', True), ('action', 'applied'), _connector='OR'), name='members_standingchange_bylaws_accepted_on_application'),
        ),
    ]
