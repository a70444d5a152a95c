"""Label display names: set through the API, read in the request's language, never in datasets."""

import pytest

from labeling import label_names
from tests.factories import api_client

pytestmark = pytest.mark.django_db


def _label(project, name="yak"):
    return project.labels.get(name=name)


def test_a_supervisor_sets_display_names_and_each_language_reads_its_own(project, supervisor, annotator):
    label = _label(project)
    url = f"/api/v1/projects/{project.pk}/labels/{label.pk}/"
    response = api_client(supervisor).patch(url, {"display_names": {"zh-hans": " 牦牛 ", "bo": "གཡག"}}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "yak"
    assert body["display_names"] == {"zh-hans": "牦牛", "bo": "གཡག"}
    labels_url = f"/api/v1/projects/{project.pk}/labels/"
    chinese = api_client(annotator).get(labels_url, HTTP_ACCEPT_LANGUAGE="zh-CN").json()
    english = api_client(annotator).get(labels_url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert [l["display_name"] for l in chinese if l["name"] == "yak"] == ["牦牛"]
    assert [l["display_name"] for l in english if l["name"] == "yak"] == ["yak"]  # falls back to the name
    # An empty name removes that language's, the others stay.
    api_client(supervisor).patch(url, {"display_names": {"zh-hans": ""}}, format="json")
    label.refresh_from_db()
    assert label.display_names == {"bo": "གཡག"}


@pytest.mark.parametrize("names, code", [
    ({"fr": "yak"}, "invalid_display_names"),
    ({"zh-hans": "x" * 101}, "max_length"),
    (["牦牛"], "not_a_dict"),
])
def test_bad_display_names_are_refused_and_nothing_changes(project, supervisor, names, code):
    label = _label(project)
    response = api_client(supervisor).patch(
        f"/api/v1/projects/{project.pk}/labels/{label.pk}/", {"display_names": names}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    label.refresh_from_db()
    assert label.display_names == {}


def test_an_annotator_cannot_rename_and_a_label_of_another_project_is_not_found(
    project, other_project, supervisor, annotator
):
    label = _label(project)
    url = f"/api/v1/projects/{project.pk}/labels/{label.pk}/"
    assert api_client(annotator).patch(url, {"display_names": {"bo": "x"}}, format="json").status_code == 403
    foreign = _label(other_project)
    response = api_client(supervisor).patch(
        f"/api/v1/projects/{project.pk}/labels/{foreign.pk}/", {"display_names": {"bo": "x"}}, format="json"
    )
    assert response.status_code == 404


def test_labels_created_with_display_names(project, supervisor):
    response = api_client(supervisor).post(
        f"/api/v1/projects/{project.pk}/labels/",
        {"name": "herder_tent", "display_names": {"zh-hans": "牧民帐篷", "bo": "སྦྲ་ནག"}}, format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["display_names"] == {"zh-hans": "牧民帐篷", "bo": "སྦྲ་ནག"}


def test_display_name_follows_the_language_and_falls_back(project):
    label = _label(project)
    label.display_names = {"zh-hans": "牦牛", "bo": "གཡག"}
    assert label_names.display_name(label, "zh-hans") == "牦牛"
    assert label_names.display_name(label, "zh-cn") == "牦牛"
    assert label_names.display_name(label, "en") == "yak"
    assert label_names.tibetan_name(label) == "གཡག"


def test_the_settings_page_edits_display_names_and_keeps_the_name(project, supervisor):
    from django.test import Client

    labels = list(project.labels.order_by("order"))
    labels[0].display_names = {"en": "yak (wild or tame)"}
    labels[0].save()
    data = {"action": "labels", "labels-TOTAL_FORMS": str(len(labels)), "labels-INITIAL_FORMS": str(len(labels)),
            "labels-MIN_NUM_FORMS": "0", "labels-MAX_NUM_FORMS": "100"}
    for i, label in enumerate(labels):
        data.update({f"labels-{i}-id": str(label.pk), f"labels-{i}-name": label.name,
                     f"labels-{i}-order": str(i), f"labels-{i}-color": label.color})
    data.update({"labels-0-display_zh_hans": "牦牛", "labels-0-display_bo": " གཡག "})
    browser = Client()
    browser.force_login(supervisor)
    page = browser.get(f"/annotate/projects/{project.pk}/settings/", HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert "藏文名称" in page.content.decode()
    browser.post(f"/annotate/projects/{project.pk}/settings/", data, follow=True)
    labels[0].refresh_from_db()
    assert labels[0].name == "yak"
    assert labels[0].display_names == {"en": "yak (wild or tame)", "zh-hans": "牦牛", "bo": "གཡག"}
    assert 'value="牦牛"' in browser.get(f"/annotate/projects/{project.pk}/settings/").content.decode()
