"""Which image an imported file name means: export names, original names, tolerant names."""

import pytest

from labeling.models import Image, Task
from tests.factories import api_client, make_task
from tests.labeling.export.helpers import upload

pytestmark = pytest.mark.django_db


def one_image(file_name: str, width=640, height=480) -> dict:
    return {"images": [{"id": 1, "file_name": file_name, "width": width, "height": height}],
            "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4]}],
            "categories": [{"id": 1, "name": "yak"}]}


def named(project, name: str) -> Task:
    task = make_task(project, width=640, height=480)
    Image.objects.filter(pk=task.image_id).update(original_name=name)
    return task


def gold_of(task) -> list:
    return Task.objects.get(pk=task.pk).gold_boxes


@pytest.mark.parametrize("file_name", [
    "{id}.png", "images/{id}.png", "images/default/{id}.png", "/tmp/unzipped/images/default/{id}.png",
])
def test_our_export_names_match_by_image_id(project, supervisor, file_name):
    task = named(project, "DJI_0042.JPG")
    response = upload(api_client(supervisor), project, one_image(file_name.format(id=task.image_id)), "gold")
    assert response.status_code == 200, response.json()
    assert len(gold_of(task)) == 1


def test_an_export_name_of_another_projects_image_does_not_match(project, other_project, supervisor):
    named(project, "DJI_0042.JPG")
    foreign = make_task(other_project)
    response = upload(api_client(supervisor), project, one_image(f"{foreign.image_id}.png"), "gold")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unknown_image"


@pytest.mark.parametrize("file_name", [
    "DJI_0042.JPG",                                   # exactly
    "dji_0042.jpg",                                   # case
    "DJI_0042.jpeg", "DJI_0042.png",                  # extension
    "C:\\flights\\day1\\DJI_0042.JPG",                # Windows path
    "https://bucket.example/flights/DJI_0042.JPG?X-Amz-Signature=abc#frag",  # URL, query
    "s3://bucket/flights/DJI_0042.JPG",
    "/data/upload/3/7be366fa-DJI_0042.JPG",           # Label Studio upload prefix
    "/data/local-files/?d=flights/day1/DJI_0042.JPG",  # Label Studio local files
])
def test_tolerant_names_match(project, supervisor, file_name):
    task = named(project, "DJI_0042.JPG")
    named(project, "DJI_0043.JPG")
    response = upload(api_client(supervisor), project, one_image(file_name), "gold")
    assert response.status_code == 200, response.json()
    assert len(gold_of(task)) == 1


def test_an_ambiguous_name_is_refused_with_its_candidates(project, supervisor):
    first, second = named(project, "yak.jpg"), named(project, "YAK.png")
    response = upload(api_client(supervisor), project, one_image("Yak.JPG"), "gold")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["path"], error["code"]) == ("images[0]", "ambiguous_image")
    assert f"(image {first.image_id})" in error["message"] and f"(image {second.image_id})" in error["message"]
    assert gold_of(first) == gold_of(second) == []


def test_an_exact_original_name_wins_over_a_tolerant_one(project, supervisor):
    exact, _ = named(project, "yak.jpg"), named(project, "YAK.png")
    response = upload(api_client(supervisor), project, one_image("yak.jpg"), "gold")
    assert response.status_code == 200 and len(gold_of(exact)) == 1


def test_an_export_name_that_is_also_another_images_original_name_is_ambiguous(project, supervisor):
    task = named(project, "DJI_0001.JPG")
    named(project, f"{task.image_id}.png")
    response = upload(api_client(supervisor), project, one_image(f"{task.image_id}.png"), "gold")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "ambiguous_image"
