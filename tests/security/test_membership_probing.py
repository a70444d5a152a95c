"""A supervisor cannot pull strangers or admins into a project, nor learn who has an account."""

import pytest

from labeling.models import Membership
from tests.factories import api_client, make_user, same_organisation

pytestmark = pytest.mark.django_db


def _add(actor, project, username, role="annotator"):
    return api_client(actor).post(
        f"/api/v1/projects/{project.pk}/members/", {"username": username, "role": role}, format="json"
    )


def test_a_supervisor_cannot_add_an_admin(project, supervisor):
    admin = make_user("root-admin", is_staff=True, is_superuser=True)
    same_organisation(supervisor, admin)
    answer = _add(supervisor, project, "root-admin", "client")
    assert answer.status_code == 404
    assert not Membership.objects.filter(user=admin).exists()


def test_a_supervisor_cannot_add_a_user_of_another_organisation(project, supervisor):
    same_organisation(supervisor)
    stranger = make_user("stranger")
    same_organisation(stranger, name="Another bureau")
    assert _add(supervisor, project, "stranger").status_code == 404
    assert not Membership.objects.filter(user=stranger).exists()


def test_existing_and_missing_usernames_get_the_same_answer(project, supervisor):
    same_organisation(supervisor)
    make_user("real-person")  # exists, but in no organisation of the supervisor
    existing = _add(supervisor, project, "real-person")
    missing = _add(supervisor, project, "no-such-person")
    assert existing.status_code == missing.status_code == 404
    assert existing.json() == missing.json()


def test_a_colleague_is_added_and_an_admin_adds_anyone(project, supervisor, admin_user):
    colleague = make_user("colleague")
    same_organisation(supervisor, colleague)
    assert _add(supervisor, project, "colleague").status_code == 201
    make_user("loner")
    assert _add(admin_user, project, "loner", "client").status_code == 201
    assert set(Membership.objects.filter(project=project).values_list("user__username", flat=True)) >= {
        "colleague", "loner"}
