"""The moved tables take constraint and index names of their new app."""

from django.conf import settings
from django.db import migrations, models

from kernel.guards import lift_for_migration


class Migration(migrations.Migration):

    dependencies = [
        ('debates', '0001_initial'),
        ('proposals', '0004_appointment_proposals_appointment_role_appointed_and_more'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(lift_for_migration, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='argument',
            name='realtime_argument_stance_fits_thread',
        ),
        migrations.RemoveConstraint(
            model_name='argument',
            name='realtime_argument_status_valid',
        ),
        migrations.RemoveConstraint(
            model_name='argument',
            name='realtime_argument_hidden_has_public_reason',
        ),
        migrations.RemoveConstraint(
            model_name='argument',
            name='realtime_argument_body_not_empty',
        ),
        migrations.RemoveConstraint(
            model_name='argumentrevision',
            name='realtime_argumentrevision_unique_number',
        ),
        migrations.RemoveConstraint(
            model_name='flag',
            name='realtime_flag_once_per_member',
        ),
        migrations.RemoveConstraint(
            model_name='moderationaction',
            name='realtime_moderationaction_action_valid',
        ),
        migrations.RenameIndex(
            model_name='argument',
            new_name='debates_arg_author_created',
            old_name='realtime_ar_author__66bd0a_idx',
        ),
        migrations.AddIndex(
            model_name='argument',
            index=models.Index(fields=['proposal', 'created_at'], name='debates_arg_proposal_created'),
        ),
        migrations.AddConstraint(
            model_name='argument',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('parent__isnull', True), ('stance__in', ['pro', 'contra', 'question'])), models.Q(('parent__isnull', False), ('stance', 'reply')), _connector='OR'), name='debates_argument_stance_fits_thread'),
        ),
        migrations.AddConstraint(
            model_name='argument',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['visible', 'hidden', 'under_review', 'hide_confirmed'])), name='debates_argument_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='argument',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'visible'), models.Q(('hidden_at__isnull', False), ('hidden_by__isnull', False), models.Q(('hidden_reason', ''), _negated=True)), _connector='OR'), name='debates_argument_hidden_has_public_reason'),
        ),
        migrations.AddConstraint(
            model_name='argument',
            constraint=models.CheckConstraint(condition=models.Q(('body', ''), _negated=True), name='debates_argument_body_not_empty'),
        ),
        migrations.AddConstraint(
            model_name='argumentrevision',
            constraint=models.UniqueConstraint(fields=('argument', 'number'), name='debates_argumentrevision_unique_number'),
        ),
        migrations.AddConstraint(
            model_name='flag',
            constraint=models.UniqueConstraint(fields=('argument', 'member'), name='debates_flag_once_per_member'),
        ),
        migrations.AddConstraint(
            model_name='moderationaction',
            constraint=models.CheckConstraint(condition=models.Q(('action__in', ['hidden', 'review_requested', 'restored', 'confirmed'])), name='debates_moderationaction_action_valid'),
        ),
    ]
