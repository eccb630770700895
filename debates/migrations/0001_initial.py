"""The debate's models move here from `realtime` (realtime/migrations/0003),
with their rows: the tables are renamed, nothing else changes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from kernel.guards import lift_for_migration

MOVED = ("argument", "argumentrevision", "flag", "moderationaction")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("realtime", "0003_streams"),
        ("proposals", "0004_appointment_proposals_appointment_role_appointed_and_more"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(lift_for_migration, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"ALTER TABLE realtime_{name} RENAME TO debates_{name}",
                    f"ALTER TABLE debates_{name} RENAME TO realtime_{name}",
                )
                for name in MOVED
            ],
            state_operations=[
                migrations.CreateModel(
                    name="Argument",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "stance",
                            models.CharField(
                                choices=[
                                    ("pro", "For"),
                                    ("contra", "Against"),
                                    ("question", "Question"),
                                    ("reply", "Reply"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("body", models.TextField()),
                        ("body_html", models.TextField()),
                        ("created_at", models.DateTimeField()),
                        ("edited_at", models.DateTimeField(blank=True, null=True)),
                        ("revision_count", models.PositiveIntegerField(default=1)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("visible", "Visible"),
                                    ("hidden", "Hidden by a steward"),
                                    ("under_review", "Hidden, review requested"),
                                    ("hide_confirmed", "Hidden, confirmed on review"),
                                ],
                                default="visible",
                                max_length=16,
                            ),
                        ),
                        ("hidden_reason", models.CharField(blank=True, max_length=500)),
                        ("hidden_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="debate_arguments",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "hidden_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "parent",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="replies",
                                to="debates.argument",
                            ),
                        ),
                        (
                            "proposal",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="arguments",
                                to="proposals.proposal",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["created_at", "pk"],
                        "indexes": [
                            models.Index(
                                fields=["author", "created_at"],
                                name="realtime_ar_author__66bd0a_idx",
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(
                                        ("parent__isnull", True),
                                        ("stance__in", ["pro", "contra", "question"]),
                                    ),
                                    models.Q(("parent__isnull", False), ("stance", "reply")),
                                    _connector="OR",
                                ),
                                name="realtime_argument_stance_fits_thread",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "status__in",
                                        ["visible", "hidden", "under_review", "hide_confirmed"],
                                    )
                                ),
                                name="realtime_argument_status_valid",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("status", "visible"),
                                    models.Q(
                                        ("hidden_at__isnull", False),
                                        ("hidden_by__isnull", False),
                                        models.Q(("hidden_reason", ""), _negated=True),
                                    ),
                                    _connector="OR",
                                ),
                                name="realtime_argument_hidden_has_public_reason",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("body", ""), _negated=True),
                                name="realtime_argument_body_not_empty",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ArgumentRevision",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("number", models.PositiveIntegerField()),
                        ("body", models.TextField()),
                        ("body_html", models.TextField()),
                        ("created_at", models.DateTimeField()),
                        (
                            "argument",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="revisions",
                                to="debates.argument",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["argument", "number"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("argument", "number"),
                                name="realtime_argumentrevision_unique_number",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Flag",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("reason", models.CharField(blank=True, max_length=500)),
                        ("created_at", models.DateTimeField()),
                        (
                            "argument",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="flags",
                                to="debates.argument",
                            ),
                        ),
                        (
                            "member",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("argument", "member"),
                                name="realtime_flag_once_per_member",
                            )
                        ]
                    },
                ),
                migrations.CreateModel(
                    name="ModerationAction",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("hidden", "Hidden"),
                                    ("review_requested", "Review requested"),
                                    ("restored", "Restored"),
                                    ("confirmed", "Hiding confirmed"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("reason", models.CharField(blank=True, max_length=500)),
                        ("created_at", models.DateTimeField()),
                        (
                            "actor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "argument",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="moderation_actions",
                                to="debates.argument",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-created_at", "-pk"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    (
                                        "action__in",
                                        ["hidden", "review_requested", "restored", "confirmed"],
                                    )
                                ),
                                name="realtime_moderationaction_action_valid",
                            )
                        ],
                    },
                ),
            ],
        )
    ]
