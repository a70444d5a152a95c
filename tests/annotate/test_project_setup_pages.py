"""Supervisors create and set up projects in the browser; bad input is refused with nothing changed."""

import pytest
from django.test import Client

from accounts import roles
from accounts.roles import Role
from labeling.assignment import task_lease_next
from labeling.models import Annotation, Box, LabelClass, Membership, Project, Task
from tests.factories import add_member, make_task, make_user, same_organisation

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _labels(*rows, prefix="labels", extra_total=None) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(extra_total or len(rows)), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "100"}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


RULES = {"name": "Yushu survey", "description": "", "overlap": "1", "gold_rate": "0.1", "lease_seconds": "900",
         "review_threshold": "0.7", "iou_threshold": "0.5", "max_boxes_per_image": "500",
         "energy_site": "qinghai-demo"}


def test_a_supervisor_creates_a_project_with_three_labels(supervisor):
    response = browser(supervisor).post("/annotate/projects/new/", {**RULES, **_labels(
        {"name": "yak", "hotkey": "1", "color": "#112233", "order": "1"},
        {"name": "tent", "hotkey": "2", "order": "3"},
        {"name": "snow_leopard", "hotkey": "3", "order": "2"},
        {"name": "", "order": "4"},
    )})
    project = Project.objects.get(name="Yushu survey")
    assert response.status_code == 302 and response["Location"] == f"/annotate/projects/{project.pk}/settings/"
    assert list(project.labels.order_by("order").values_list("name", "hotkey")) == [
        ("yak", 1), ("snow_leopard", 3), ("tent", 2)]
    assert project.labels.get(name="yak").color == "#112233"
    assert Membership.objects.get(project=project, user=supervisor).role == Role.SUPERVISOR


def test_duplicate_names_and_hotkeys_and_a_short_lease_are_shown_next_to_their_fields(supervisor):
    response = browser(supervisor).post("/annotate/projects/new/", {**RULES, "lease_seconds": "10", **_labels(
        {"name": "yak", "hotkey": "1", "order": "1"},
        {"name": "Yak", "hotkey": "1", "order": "2"},
    )})
    html = response.content.decode()
    assert response.status_code == 200 and not Project.objects.filter(name="Yushu survey").exists()
    assert "A lease shorter than 30 seconds ends before anyone can draw a box." in html
    assert "“Yak” is already a label of this project." in html and "Key 1 already picks another label." in html
    # Each error sits in the field it is about.
    assert html.index('data-field="labels-1-name"') < html.index("already a label") < html.index(
        'data-field="labels-1-color"')


def test_annotators_and_clients_may_not_create_projects(annotator, client_user):
    for user in (annotator, client_user):
        assert browser(user).get("/annotate/projects/new/").status_code == 403
        assert browser(user).post("/annotate/projects/new/", RULES).status_code == 403
    assert not Project.objects.filter(name="Yushu survey").exists()


def test_rules_saved_apply_from_the_next_lease_with_an_overlap_warning(project, supervisor, annotator):
    make_task(project)
    response = browser(supervisor).post(f"/annotate/projects/{project.pk}/settings/",
                                        {"action": "rules", **RULES, "name": project.name, "overlap": "3",
                                         "lease_seconds": "45"}, follow=True)
    html = response.content.decode()
    assert "Overlap 3 is more than the 1 annotators of this project" in html
    project.refresh_from_db()
    assert (project.overlap, project.lease_seconds) == (3, 45)
    lease = task_lease_next(project=project, annotator=annotator)
    assert 44 <= (lease.expires_at - lease.created_at).total_seconds() <= 46


def test_a_rename_keeps_boxes_and_gold_and_a_used_label_is_removed_only_when_confirmed(project, supervisor,
                                                                                         annotator):
    yak = project.labels.get(name="yak")
    task = make_task(project, is_gold=True, gold_boxes=[{"label": "yak", "x": 1, "y": 1, "width": 5, "height": 5}])
    annotation = Annotation.objects.create(task=task, annotator=annotator)
    Box.objects.create(annotation=annotation, label=yak, x=1, y=1, width=5, height=5)
    labels = list(project.labels.order_by("order"))

    def post(rows):
        data = {"action": "labels", **_labels(*rows)}
        data["labels-INITIAL_FORMS"] = str(len(labels))
        return browser(supervisor).post(f"/annotate/projects/{project.pk}/settings/", data, follow=True)

    rows = [{"id": str(label.pk), "name": label.name, "hotkey": str(label.hotkey), "order": str(i)}
            for i, label in enumerate(labels)]
    rows[0]["name"] = "wild_yak"
    rows[1]["hotkey"], rows[2]["hotkey"] = rows[2]["hotkey"], rows[1]["hotkey"]  # a swap
    post(rows)
    assert Box.objects.get().label.name == "wild_yak"
    task.refresh_from_db()
    assert task.gold_boxes[0]["label"] == "wild_yak"
    assert project.labels.get(name="snow_leopard").hotkey == 3

    rows[0].update(name="wild_yak", remove="on")
    html = post(rows).content.decode()
    assert "has 1 boxes" in html and LabelClass.objects.filter(pk=yak.pk).exists() and Box.objects.exists()
    rows[0]["remove_boxes"] = "on"
    post(rows)
    assert not LabelClass.objects.filter(pk=yak.pk).exists() and not Box.objects.exists()


def test_members_are_added_changed_and_removed_and_the_last_supervisor_stays(project, supervisor):
    newcomer, stranger = make_user("newcomer"), make_user("stranger")
    same_organisation(supervisor, newcomer)
    page = f"/annotate/projects/{project.pk}/settings/"
    client = browser(supervisor)

    html = client.post(page, {"action": "member_add", "username": "stranger", "role": "annotator"}).content.decode()
    assert "No user of your organisation has that username." in html
    html = client.post(page, {"action": "member_add", "username": "nobody", "role": "annotator"}).content.decode()
    assert "No user of your organisation has that username." in html
    assert not Membership.objects.filter(project=project, user=stranger).exists()

    client.post(page, {"action": "member_add", "username": "newcomer", "role": "client"})
    assert Membership.objects.get(project=project, user=newcomer).role == Role.CLIENT
    client.post(page, {"action": "member_role", "user": str(newcomer.pk), "role": "annotator"})
    assert Membership.objects.get(project=project, user=newcomer).role == Role.ANNOTATOR

    html = client.post(page, {"action": "member_remove", "user": str(supervisor.pk)}, follow=True).content.decode()
    assert "A project keeps at least one supervisor" in html
    html = client.post(page, {"action": "member_role", "user": str(supervisor.pk), "role": "annotator"},
                       follow=True).content.decode()
    assert "A project keeps at least one supervisor" in html
    assert Membership.objects.get(project=project, user=supervisor).role == Role.SUPERVISOR

    client.post(page, {"action": "member_remove", "user": str(newcomer.pk)})
    assert not Membership.objects.filter(project=project, user=newcomer).exists()


def test_a_role_the_actor_may_not_grant_is_refused(project, supervisor, monkeypatch):
    newcomer = make_user("newcomer")
    same_organisation(supervisor, newcomer)
    # A narrower grant: supervisors may add annotators only.
    monkeypatch.setitem(roles.GRANTS, Role.SUPERVISOR, frozenset({Role.ANNOTATOR}))
    page = f"/annotate/projects/{project.pk}/settings/"
    html = browser(supervisor).post(page, {"action": "member_add", "username": "newcomer",
                                           "role": "supervisor"}).content.decode()
    assert 'data-field="role"' in html and "Select a valid choice" in html
    from labeling.members import membership_set
    from config.errors import Forbidden
    with pytest.raises(Forbidden):
        membership_set(project=project, username="newcomer", role=Role.SUPERVISOR, actor=supervisor)
    assert not Membership.objects.filter(project=project, user=newcomer).exists()


def test_forged_member_ids_change_nothing(project, other_project, supervisor, outsider):
    page = f"/annotate/projects/{project.pk}/settings/"
    for user_id in (str(outsider.pk), "999999999", "abc", "9" * 40):
        html = browser(supervisor).post(page, {"action": "member_remove", "user": user_id},
                                        follow=True).content.decode()
        assert "That person is not a member of this project." in html
    assert Membership.objects.filter(project=other_project, user=outsider).exists()


def test_archiving_stops_next_and_moves_the_project_down_the_home_page(project, supervisor, annotator):
    make_task(project)
    browser(supervisor).post(f"/annotate/projects/{project.pk}/settings/", {"action": "archive"})
    project.refresh_from_db()
    assert project.archived_at is not None and Task.objects.filter(project=project).count() == 1
    assert task_lease_next(project=project, annotator=annotator) is None
    assert f'data-project-id="{project.pk}"' not in browser(annotator).get("/").content.decode()
    home = browser(supervisor).get("/").content.decode()
    assert 'data-testid="archived-projects"' in home and f'data-project-id="{project.pk}"' in home
    browser(supervisor).post(f"/annotate/projects/{project.pk}/settings/", {"action": "restore"})
    project.refresh_from_db()
    assert task_lease_next(project=project, annotator=annotator) is not None


def test_annotators_and_clients_get_403_on_settings(project, annotator, client_user):
    for user in (annotator, client_user):
        assert browser(user).get(f"/annotate/projects/{project.pk}/settings/").status_code == 403
        assert browser(user).post(f"/annotate/projects/{project.pk}/settings/",
                                  {"action": "archive"}).status_code == 403
    project.refresh_from_db()
    assert project.archived_at is None
