"""Realtime becomes a transport: a debate's numbered event log becomes a
generic stream named by a key ("proposal.<id>"), and the debate itself (its
arguments, revisions, flags, moderation) moves to the `debates` app, whose
first migration takes over those tables."""

import django.db.models.deletion
from django.db import migrations, models

from kernel.guards import lift_for_migration


def arguments_name_their_proposal(apps, schema_editor):
    schema_editor.execute(
        "UPDATE realtime_argument SET proposal_id = "
        "(SELECT d.proposal_id FROM realtime_debate d WHERE d.id = realtime_argument.debate_id)"
    )


def streams_take_their_proposals_key(apps, schema_editor):
    schema_editor.execute(
        "UPDATE realtime_stream SET key = 'proposal.' || CAST(proposal_id AS TEXT)"
    )


def proposal_events_take_their_new_names(apps, schema_editor):
    # The page's state and tally now belong to proposals (proposals/broadcasts.py).
    for old, new in (("debate.proposal_state", "proposal.state"), ("debate.tally", "proposal.tally")):
        schema_editor.execute(
            "UPDATE realtime_streamevent SET type = %s WHERE type = %s", (new, old)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("realtime", "0002_debate_guard"),
        ("proposals", "0004_appointment_proposals_appointment_role_appointed_and_more"),
    ]

    operations = [
        migrations.RunPython(lift_for_migration, migrations.RunPython.noop),
        migrations.AddField(
            model_name="argument",
            name="proposal",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="arguments",
                to="proposals.proposal",
            ),
        ),
        migrations.RunPython(arguments_name_their_proposal, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="argument",
            name="proposal",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="arguments",
                to="proposals.proposal",
            ),
        ),
        migrations.RemoveField(model_name="argument", name="debate"),
        migrations.RenameModel(old_name="Debate", new_name="Stream"),
        migrations.RenameModel(old_name="DebateEvent", new_name="StreamEvent"),
        migrations.RemoveConstraint(model_name="streamevent", name="realtime_debateevent_unique_seq"),
        migrations.RenameField(model_name="streamevent", old_name="debate", new_name="stream"),
        migrations.RemoveIndex(model_name="presence", name="realtime_pr_debate__c0309d_idx"),
        migrations.RenameField(model_name="presence", old_name="debate", new_name="stream"),
        migrations.AddField(
            model_name="stream", name="key", field=models.CharField(max_length=100, null=True)
        ),
        migrations.RunPython(streams_take_their_proposals_key, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="stream", name="key", field=models.CharField(max_length=100, unique=True)
        ),
        migrations.RemoveField(model_name="stream", name="proposal"),
        migrations.RunPython(proposal_events_take_their_new_names, migrations.RunPython.noop),
        migrations.AlterModelOptions(name="streamevent", options={"ordering": ["stream", "seq"]}),
        migrations.AddConstraint(
            model_name="streamevent",
            constraint=models.UniqueConstraint(
                fields=("stream", "seq"), name="realtime_streamevent_unique_seq"
            ),
        ),
        migrations.AddIndex(
            model_name="presence",
            index=models.Index(fields=["stream", "seen_at"], name="realtime_pr_stream_seen"),
        ),
        # The debate's own models now belong to `debates` (debates/migrations/0001).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ModerationAction"),
                migrations.DeleteModel(name="Flag"),
                migrations.DeleteModel(name="ArgumentRevision"),
                migrations.DeleteModel(name="Argument"),
            ],
            database_operations=[],
        ),
    ]
