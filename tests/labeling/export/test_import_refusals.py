"""Hostile and broken COCO files: each refused with a 4xx that names the problem and its path."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.factories import api_client
from tests.labeling.export.helpers import coco_for, snapshot, upload

pytestmark = pytest.mark.django_db


def refused(response, code: str, path: str) -> dict:
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] == "coco_invalid", body
    assert {"path": path, "code": code} in [{"path": e["path"], "code": e["code"]} for e in body["errors"]], body
    return next(e for e in body["errors"] if e["path"] == path)


def test_three_thousand_levels_of_nesting_is_a_400_not_a_500(project, supervisor, tasks):
    before = snapshot(project)
    raw = b'{"images": [], "annotations": [], "categories": [], "x": ' + b"[" * 3000 + b"]" * 3000 + b"}"
    error = refused(upload(api_client(supervisor), project, raw), "too_deep", "$")
    assert "3001 levels" in error["message"]
    assert snapshot(project) == before


def test_the_command_refuses_deep_nesting_without_a_recursion_error(project, tasks, tmp_path):
    path = tmp_path / "deep.json"
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(CommandError, match="too_deep"):
        call_command("import_coco", project.slug, str(path), "--mode", "gold", stdout=io.StringIO())


def test_brackets_inside_strings_do_not_count_as_nesting(project, supervisor, tasks):
    document = coco_for(tasks)
    document["info"] = {"description": "[" * 5000 + '\\"{' * 100}
    assert upload(api_client(supervisor), project, document).status_code == 200


def test_latin1_bytes_are_named_as_an_encoding_problem_at_their_path(project, supervisor, tasks):
    raw = json.dumps(coco_for(tasks)).encode().replace(b'"img', "\"caf\u00e9-img".encode("latin-1"), 1)
    error = refused(upload(api_client(supervisor), project, raw), "bad_encoding", "images[0].file_name")
    assert "0xE9" in error["message"]


def test_a_utf16_file_is_named_as_utf16(project, supervisor, tasks):
    raw = json.dumps(coco_for(tasks)).encode("utf-16")
    error = refused(upload(api_client(supervisor), project, raw), "bad_encoding", "$")
    assert "UTF-16" in error["message"]


def test_a_utf8_byte_order_mark_is_fine(project, supervisor, tasks):
    raw = b"\xef\xbb\xbf" + json.dumps(coco_for(tasks)).encode()
    assert upload(api_client(supervisor), project, raw).status_code == 200


def test_a_width_given_as_a_string_is_named_so(project, supervisor, tasks):
    document = coco_for(tasks)
    document["images"][1]["width"] = "640"
    error = refused(upload(api_client(supervisor), project, document), "string_not_number", "images[1].width")
    assert '"640"' in error["message"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_named_with_their_path(project, supervisor, tasks, literal):
    raw = json.dumps(coco_for(tasks)).replace('"bbox": [10, ', f'"bbox": [{literal}, ', 1).encode()
    error = refused(upload(api_client(supervisor), project, raw), "not_finite", "annotations[0].bbox[0]")
    assert literal in error["message"]


def test_null_sizes_are_accepted_for_an_image_without_boxes(project, supervisor, tasks):
    document = coco_for(tasks)
    document["images"][2].update(width=None, height=None)
    document["annotations"] = [a for a in document["annotations"] if a["image_id"] != 3]
    response = upload(api_client(supervisor), project, document, mode="gold")
    assert response.status_code == 200, response.json()
    assert response.json()["images"] == 3


def test_null_sizes_with_boxes_are_refused(project, supervisor, tasks):
    document = coco_for(tasks)
    document["images"][0].update(width=None, height=None)
    refused(upload(api_client(supervisor), project, document), "size_required", "images[0].width")
