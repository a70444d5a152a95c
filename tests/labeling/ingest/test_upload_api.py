"""POST /api/v1/projects/{id}/images/: every bad input refused, nothing stored."""

import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from labeling.models import Image, Task
from tests.factories import api_client
from tests.labeling.ingest.samples import (
    assert_nothing_stored,
    encoded,
    jpeg_bytes,
    png_declaring,
    stored_files,
    zip_bytes,
)

pytestmark = pytest.mark.django_db


def upload(user, project, *files: tuple[str, bytes], client=None):
    client = client or api_client(user)
    payload = {"files": [SimpleUploadedFile(name, data) for name, data in files]}
    return client.post(f"/api/v1/projects/{project.pk}/images/", payload, format="multipart")


def only_result(response) -> dict:
    body = response.json()
    assert isinstance(body, list) and len(body) == 1, body
    return body[0]


def test_supervisor_uploads_many_files_each_becomes_one_task(project, supervisor, _media_root):
    response = upload(
        supervisor,
        project,
        ("a.jpg", jpeg_bytes(color=(1, 2, 3))),
        ("b.png", encoded("PNG")),
        ("c.tif", encoded("TIFF")),
        ("d.webp", encoded("WEBP")),
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [r["status"] for r in body] == ["created"] * 4
    assert [r["name"] for r in body] == ["a.jpg", "b.png", "c.tif", "d.webp"]
    images = Image.objects.order_by("id")
    assert [i.format for i in images] == ["JPEG", "PNG", "TIFF", "WEBP"]
    assert {r["task_id"] for r in body} == set(Task.objects.values_list("id", flat=True))
    for image in images:
        # Stored under the content hash, never under the uploader's name.
        assert image.file.name.startswith(f"images/{project.pk}/{image.sha256[:2]}/{image.sha256}.")
        assert image.task.project_id == project.pk
        assert image.uploaded_by_id == supervisor.pk
    assert len(stored_files(_media_root)) == 4


def test_html_named_jpg_is_refused_by_content(project, supervisor, _media_root):
    response = upload(supervisor, project, ("photo.jpg", b"<!DOCTYPE html><html><script>alert(1)</script></html>"))
    assert response.status_code == 207
    result = only_result(response)
    assert result["status"] == "error" and result["code"] == "not_an_image"
    assert "markup" in result["detail"]
    assert_nothing_stored(_media_root)


def test_truncated_jpeg_is_refused(project, supervisor, _media_root):
    whole = jpeg_bytes(400, 300, quality=95)
    response = upload(supervisor, project, ("cut.jpg", whole[: len(whole) // 2]))
    result = only_result(response)
    assert result["status"] == "error" and result["code"] == "corrupt_image"
    assert "truncated" in result["detail"]
    assert_nothing_stored(_media_root)


def test_png_declaring_fifty_thousand_squared_pixels_is_refused(project, supervisor, _media_root):
    response = upload(supervisor, project, ("bomb.png", png_declaring(50_000, 50_000)))
    result = only_result(response)
    assert result["status"] == "error" and result["code"] == "too_many_pixels"
    assert "pixels" in result["detail"]
    assert_nothing_stored(_media_root)


def test_pixel_limit_comes_from_settings(project, supervisor, _media_root, settings):
    settings.INGEST_MAX_PIXELS = 1000
    result = only_result(upload(supervisor, project, ("big.png", encoded("PNG", 40, 30))))
    assert result["code"] == "too_many_pixels"
    assert_nothing_stored(_media_root)


def test_zero_byte_file_is_refused(project, supervisor, _media_root):
    result = only_result(upload(supervisor, project, ("empty.jpg", b"")))
    assert result["status"] == "error" and result["code"] == "empty_file"
    assert_nothing_stored(_media_root)


def test_file_over_the_byte_limit_is_refused(project, supervisor, _media_root, settings):
    settings.INGEST_MAX_FILE_BYTES = 100
    result = only_result(upload(supervisor, project, ("a.jpg", jpeg_bytes())))
    assert result["code"] == "file_too_large"
    assert_nothing_stored(_media_root)


def test_zip_member_escaping_the_target_refuses_the_archive(project, supervisor, _media_root):
    archive = zip_bytes({"ok.jpg": jpeg_bytes(), "../../settings.py": b"SECRET_KEY = 'x'\n"})
    result = only_result(upload(supervisor, project, ("photos.zip", archive)))
    assert result["status"] == "error" and result["code"] == "archive_unsafe_path"
    assert_nothing_stored(_media_root)


@pytest.mark.parametrize("member", ["/etc/passwd", "C:/windows/win.ini", "a\\..\\..\\b.jpg"])
def test_absolute_and_backslash_member_paths_are_refused(project, supervisor, _media_root, member):
    result = only_result(upload(supervisor, project, ("p.zip", zip_bytes({member: jpeg_bytes()}))))
    assert result["code"] == "archive_unsafe_path"
    assert_nothing_stored(_media_root)


def test_zip_bomb_is_refused(project, supervisor, _media_root):
    # 64 MiB of zeros compress to about 64 KiB: a ratio near 1000.
    archive = zip_bytes({"inflate.jpg": b"\x00" * (64 * 1024 * 1024)})
    assert len(archive) < 200_000
    result = only_result(upload(supervisor, project, ("bomb.zip", archive)))
    assert result["status"] == "error" and result["code"] == "archive_bomb"
    assert_nothing_stored(_media_root)


def test_zip_over_total_size_is_refused(project, supervisor, _media_root, settings):
    settings.INGEST_ZIP_MAX_TOTAL_BYTES = 1000
    archive = zip_bytes({"a.jpg": jpeg_bytes(), "b.jpg": jpeg_bytes(color=(9, 9, 9))}, zipfile.ZIP_STORED)
    result = only_result(upload(supervisor, project, ("big.zip", archive)))
    assert result["code"] == "archive_too_large"
    assert_nothing_stored(_media_root)


def test_zip_images_are_imported_and_nested_archives_and_other_files_reported(project, supervisor, _media_root):
    archive = zip_bytes(
        {
            "day1/a.jpg": jpeg_bytes(color=(1, 1, 1)),
            "day1/b.png": encoded("PNG"),
            "day1/inner.zip": zip_bytes({"c.jpg": jpeg_bytes(color=(5, 5, 5))}),
            "notes.txt": b"flight log",
            "__MACOSX/._a.jpg": b"junk",
        }
    )
    response = upload(supervisor, project, ("flight.zip", archive))
    assert response.status_code == 207
    by_name = {r["name"]: r for r in response.json()}
    assert by_name["flight.zip/day1/a.jpg"]["status"] == "created"
    assert by_name["flight.zip/day1/b.png"]["status"] == "created"
    assert by_name["flight.zip/day1/inner.zip"]["code"] == "nested_archive"
    assert by_name["flight.zip/notes.txt"]["code"] == "not_an_image"
    assert len(by_name) == 4
    assert Image.objects.count() == 2 and Task.objects.count() == 2


def test_exif_orientation_6_swaps_stored_size(project, supervisor):
    response = upload(supervisor, project, ("turned.jpg", jpeg_bytes(80, 60, orientation=6)))
    assert only_result(response)["status"] == "created"
    image = Image.objects.get()
    assert (image.width, image.height) == (60, 80)


def test_duplicate_bytes_are_reported_not_made_a_second_task(project, supervisor, _media_root):
    data = jpeg_bytes()
    first = only_result(upload(supervisor, project, ("one.jpg", data)))
    files_before = stored_files(_media_root)
    response = upload(supervisor, project, ("again.jpg", data), ("copy.jpg", data))
    assert response.status_code == 200
    second, third = response.json()
    for result in (second, third):
        assert result["status"] == "duplicate" and result["code"] == "duplicate"
        assert result["image_id"] == first["image_id"] and result["task_id"] == first["task_id"]
    assert Image.objects.count() == 1 and Task.objects.count() == 1
    assert stored_files(_media_root) == files_before


def test_same_bytes_in_another_project_are_not_a_duplicate(project, other_project, supervisor):
    from accounts.roles import Role
    from tests.factories import add_member

    add_member(other_project, supervisor, Role.SUPERVISOR)
    data = jpeg_bytes()
    assert only_result(upload(supervisor, project, ("a.jpg", data)))["status"] == "created"
    assert only_result(upload(supervisor, other_project, ("a.jpg", data)))["status"] == "created"


def test_one_bad_file_does_not_stop_the_batch(project, supervisor):
    response = upload(
        supervisor,
        project,
        ("good1.jpg", jpeg_bytes(color=(1, 2, 3))),
        ("bad.jpg", b"GIF89a not really"),
        ("good2.jpg", jpeg_bytes(color=(4, 5, 6))),
    )
    assert response.status_code == 207
    assert [r["status"] for r in response.json()] == ["created", "error", "created"]
    assert Task.objects.count() == 2


def test_user_supplied_names_never_reach_the_storage_path(project, supervisor, _media_root):
    only_result(upload(supervisor, project, ("../../../evil name.jpg", jpeg_bytes())))
    image = Image.objects.get()
    assert image.original_name == "evil name.jpg"
    assert "evil" not in " ".join(stored_files(_media_root))


@pytest.mark.parametrize("who,status", [("annotator", 403), ("client_user", 403), ("outsider", 404)])
def test_only_supervisors_upload(project, who, status, request, _media_root):
    user = request.getfixturevalue(who)
    response = upload(user, project, ("a.jpg", jpeg_bytes()))
    assert response.status_code == status
    assert response.json()["code"] in {"permission_denied", "not_found"}
    assert_nothing_stored(_media_root)


def test_anonymous_upload_is_refused(project, _media_root):
    from rest_framework.test import APIClient

    response = upload(None, project, ("a.jpg", jpeg_bytes()), client=APIClient())
    assert response.status_code in (401, 403)
    assert_nothing_stored(_media_root)


def test_admin_may_upload(project, admin_user):
    assert only_result(upload(admin_user, project, ("a.jpg", jpeg_bytes())))["status"] == "created"


def test_too_many_files_in_one_request_is_413(project, supervisor, _media_root, settings):
    settings.INGEST_MAX_FILES_PER_REQUEST = 2
    response = upload(supervisor, project, *[(f"{i}.jpg", jpeg_bytes(color=(i, 0, 0))) for i in range(3)])
    assert response.status_code == 413
    assert response.json()["code"] == "too_many_files"
    assert_nothing_stored(_media_root)


def test_more_files_than_django_parses_is_413(project, supervisor, _media_root, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    response = upload(supervisor, project, *[(f"{i}.jpg", jpeg_bytes(color=(i, 0, 0))) for i in range(3)])
    assert response.status_code == 413
    assert_nothing_stored(_media_root)


def test_request_over_byte_limit_is_413(project, supervisor, _media_root, settings):
    settings.INGEST_MAX_REQUEST_BYTES = 1000
    response = upload(supervisor, project, ("a.jpg", jpeg_bytes(300, 300)), ("b.jpg", jpeg_bytes(300, 301)))
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert_nothing_stored(_media_root)


def test_declared_oversized_body_is_413_before_reading(project, supervisor, _media_root, settings):
    settings.INGEST_MAX_REQUEST_BYTES = 10
    response = upload(supervisor, project, ("big.jpg", b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024)))
    assert response.status_code == 413 and response.json()["code"] == "request_too_large"
    assert_nothing_stored(_media_root)


def test_no_files_and_wrong_fields_are_400(project, supervisor):
    client = api_client(supervisor)
    url = f"/api/v1/projects/{project.pk}/images/"
    assert client.post(url, {}, format="multipart").json()["code"] == "no_files"
    wrong = client.post(url, {"file": SimpleUploadedFile("a.jpg", jpeg_bytes())}, format="multipart")
    assert wrong.status_code == 400 and wrong.json()["code"] == "unknown_field"
    assert client.post(url, {"files": "x"}, format="json").status_code == 415
    assert Image.objects.count() == 0


def test_a_failing_row_leaves_no_file_behind(project, supervisor, _media_root, monkeypatch):
    from labeling.ingest import store

    def broken(**kwargs):
        raise RuntimeError("database fell over")

    monkeypatch.setattr(store.Task.objects, "create", broken)
    result = only_result(upload(supervisor, project, ("a.jpg", jpeg_bytes())))
    assert result["status"] == "error" and result["code"] == "store_failed"
    assert_nothing_stored(_media_root)


def test_multi_megabyte_upload_spooled_to_disk_is_stored(project, supervisor, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # forces TemporaryUploadedFile
    data = jpeg_bytes(600, 400)
    assert only_result(upload(supervisor, project, ("big.jpg", data)))["status"] == "created"
    image = Image.objects.get()
    with image.file.open("rb") as fh:
        assert fh.read() == data
