"""Moving Membership from accounts to labeling keeps every row, in the same table."""

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0003_issue9_audit"), ("labeling", "0003_export_claim")]
AFTER = [("accounts", "0004_membership_to_labeling"), ("labeling", "0004_membership_from_accounts")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    """Whatever happens, leave the test database at the newest migrations for the tests after."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_memberships_made_before_the_move_are_read_after_it(back_to_latest):
    old = _migrate(BEFORE)
    user = old.get_model("accounts", "User").objects.create(username="dolkar")
    project = old.get_model("labeling", "Project").objects.create(name="Gyaring Lake", slug="gyaring")
    old.get_model("accounts", "Membership").objects.create(user=user, project=project, role="supervisor")

    new = _migrate(AFTER)
    moved = new.get_model("labeling", "Membership").objects.get()
    assert (moved.user_id, moved.project_id, moved.role) == (user.pk, project.pk, "supervisor")
    assert moved._meta.db_table == "accounts_membership"
    # The database still refuses what it refused before: a second role in one project.
    with pytest.raises(IntegrityError, match="membership_one_role_per_project"):
        new.get_model("labeling", "Membership").objects.create(user_id=user.pk, project_id=project.pk, role="client")
    assert "accounts_membership" in connection.introspection.table_names()
