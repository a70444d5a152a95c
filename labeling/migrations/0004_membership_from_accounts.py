"""Membership moves from accounts to labeling, the app that owns projects.

State only: the table (accounts_membership), its rows, constraints and index
stay as they are; accounts 0004 then forgets the model on its side.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("labeling", "0003_export_claim"),
        ("accounts", "0003_issue9_audit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("role", models.CharField(choices=[("annotator", "Annotator"), ("supervisor", "Supervisor"), ("client", "Client")], max_length=16)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("project", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to="labeling.project")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "accounts_membership",
                        "indexes": [models.Index(fields=["user", "role"], name="membership_user_role")],
                        "constraints": [
                            models.UniqueConstraint(fields=("project", "user"), name="membership_one_role_per_project"),
                            models.CheckConstraint(condition=models.Q(("role__in", ["annotator", "supervisor", "client"])), name="membership_role_valid"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
