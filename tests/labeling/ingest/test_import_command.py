"""manage.py import_images PROJECT PATH...: files, folders, zips; progress and summary."""

import pytest
from django.core.management import CommandError

from labeling.models import Image, Task
from tests.labeling.ingest.command import run_import
from tests.labeling.ingest.samples import encoded, jpeg_bytes, stored_files, zip_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "flights"
    (root / "day1" / "deep").mkdir(parents=True)
    (root / "day1" / "a.jpg").write_bytes(jpeg_bytes(color=(1, 0, 0)))
    (root / "day1" / "deep" / "b.PNG").write_bytes(encoded("PNG"))
    (root / "day1" / "readme.txt").write_text("not an image")
    (root / ".hidden.jpg").write_bytes(jpeg_bytes(color=(7, 7, 7)))
    (root / "day2.zip").write_bytes(zip_bytes({"c.jpg": jpeg_bytes(color=(2, 0, 0)), "d.webp": encoded("WEBP")}))
    single = tmp_path / "single.tif"
    single.write_bytes(encoded("TIFF"))
    return root, single


def test_imports_folders_zips_and_files_with_summary(project, tree):
    root, single = tree
    out, err = run_import(project.slug, str(root), str(single), "--workers", "2")
    assert Image.objects.count() == 5 and Task.objects.count() == 5
    assert "5 created, 0 duplicates, 1 errors, 6 files" in out
    assert "readme.txt: [not_an_image]" in out
    assert "6/6" in err and "100%" in err  # the progress bar
    assert sorted(Image.objects.values_list("original_name", flat=True)) == sorted(
        ["flights/day1/a.jpg", "flights/day1/deep/b.PNG", "flights/day2.zip/c.jpg", "flights/day2.zip/d.webp",
         str(single)][-255:]
    )


def test_running_twice_reports_duplicates(project, tree):
    root, _ = tree
    run_import(str(project.pk), str(root), "--no-progress")
    out, err = run_import(str(project.pk), str(root), "--no-progress")
    assert "0 created, 4 duplicates, 1 errors" in out
    assert err == ""
    assert Image.objects.count() == 4


def test_hostile_zip_on_disk_stores_nothing(project, tmp_path, _media_root):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(zip_bytes({"../../settings.py": b"x = 1"}))
    out, _ = run_import(project.slug, str(bad), "--no-progress")
    assert "[archive_unsafe_path]" in out
    assert Image.objects.count() == 0 and stored_files(_media_root) == []


def test_missing_path_is_reported_not_fatal(project, tmp_path):
    good = tmp_path / "a.jpg"
    good.write_bytes(jpeg_bytes())
    out, _ = run_import(project.slug, str(tmp_path / "nope"), str(good), "--no-progress")
    assert "[not_found]" in out and "1 created" in out


def test_unknown_project_or_user_is_an_error(project, tmp_path):
    with pytest.raises(CommandError, match="No project"):
        run_import("no-such-project", str(tmp_path))
    with pytest.raises(CommandError, match="No user"):
        run_import(project.slug, str(tmp_path), "--user", "ghost")


def test_user_is_recorded_as_uploader(project, supervisor, tmp_path):
    (tmp_path / "a.jpg").write_bytes(jpeg_bytes())
    run_import(project.slug, str(tmp_path), "--user", supervisor.username, "--no-progress")
    assert Image.objects.get().uploaded_by == supervisor
