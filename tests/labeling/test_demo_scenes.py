"""Synthetic drone scenes and their EXIF: pure Python, no database."""

import datetime
import io
import re

import numpy as np
import pytest
from PIL import Image

from labeling.demo.exif import exif_bytes, gps_for_seed
from labeling.demo.scenes import KINDS, LABELS, Scene, SceneBox, render_scene

W, H = 800, 600
SEEDS = range(40)


@pytest.fixture(scope="module")
def scenes() -> dict[int, Scene]:
    return {seed: render_scene(seed, W, H) for seed in SEEDS}


def _luma(scene: Scene) -> np.ndarray:
    return np.asarray(scene.image.convert("L"), np.float64)


def test_labels_are_the_five_plateau_classes():
    assert [label["name"] for label in LABELS] == ["yak", "snow_leopard", "tibetan_antelope", "herder_tent", "person"]
    assert [label["hotkey"] for label in LABELS] == [1, 2, 3, 4, 5]
    assert [label["supercategory"] for label in LABELS] == ["animal", "animal", "animal", "structure", "human"]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", label["color"]) for label in LABELS)
    assert len({label["color"] for label in LABELS}) == 5


def test_same_seed_gives_identical_pixels_and_boxes():
    a, b = render_scene(11, 640, 480), render_scene(11, 640, 480)
    assert a.image.tobytes() == b.image.tobytes()
    assert a.boxes == b.boxes and a.kind == b.kind
    assert np.array_equal(a.water_mask, b.water_mask)


def test_different_seeds_differ(scenes):
    assert scenes[0].image.tobytes() != scenes[1].image.tobytes()
    assert len({tuple(s.boxes) for s in scenes.values()}) > 30


def test_image_is_rgb_of_the_requested_size(scenes):
    for scene in scenes.values():
        assert scene.image.mode == "RGB" and scene.image.size == (W, H)
        assert scene.kind in KINDS
        assert scene.water_mask.shape == (H, W) and scene.water_mask.dtype == bool
    odd = render_scene(5, 321, 243)
    assert odd.image.size == (321, 243) and odd.water_mask.shape == (243, 321)


def test_boxes_lie_inside_the_image_with_positive_size(scenes):
    names = {label["name"] for label in LABELS}
    for scene in scenes.values():
        assert len(scene.boxes) <= 25
        for box in scene.boxes:
            assert isinstance(box, SceneBox) and box.label in names
            assert all(isinstance(v, float) for v in (box.x, box.y, box.width, box.height))
            assert box.width >= 4 and box.height >= 4
            assert 0 <= box.x and box.x + box.width <= W
            assert 0 <= box.y and box.y + box.height <= H


def test_scene_kinds_and_labels_all_occur(scenes):
    assert len({s.kind for s in scenes.values()}) >= 3
    seen = {box.label for s in scenes.values() for box in s.boxes}
    assert seen == {label["name"] for label in LABELS}
    assert any(not s.boxes for s in scenes.values())  # some frames are empty, as in real surveys


def test_object_sizes_scale_with_the_image():
    big, small = render_scene(4), render_scene(4, 800, 600)
    assert big.kind == small.kind
    big_sizes = [max(b.width, b.height) for b in big.boxes]
    small_sizes = [max(b.width, b.height) for b in small.boxes]
    assert big_sizes and small_sizes
    assert 15 <= min(big_sizes) and max(big_sizes) <= 140
    assert np.median(big_sizes) == pytest.approx(2 * np.median(small_sizes), rel=0.2)


def test_yak_boxes_are_darker_than_their_surroundings(scenes):
    checked = 0
    for scene in scenes.values():
        luma = _luma(scene)
        for box in scene.boxes:
            if box.label != "yak":
                continue
            x0, y0 = int(box.x), int(box.y)
            x1, y1 = int(np.ceil(box.x + box.width)), int(np.ceil(box.y + box.height))
            m = max(x1 - x0, y1 - y0)
            outer = luma[max(0, y0 - m) : y1 + m, max(0, x0 - m) : x1 + m]
            inner = luma[y0:y1, x0:x1]
            ring = (outer.sum() - inner.sum()) / (outer.size - inner.size)
            assert inner.mean() < ring, (box, scene.kind)
            checked += 1
    assert checked > 50


def test_no_object_stands_on_water(scenes):
    wet_scenes = [s for s in scenes.values() if s.kind in ("lake", "shore")]
    assert wet_scenes
    for scene in wet_scenes:
        assert scene.water_mask.mean() > 0.3
    for scene in scenes.values():
        for box in scene.boxes:
            cx, cy = int(box.x + box.width / 2), int(box.y + box.height / 2)
            assert not scene.water_mask[min(cy, H - 1), min(cx, W - 1)], (box, scene.kind)


def test_lake_water_looks_blue(scenes):
    lake = next(s for s in scenes.values() if s.kind == "lake")
    rgb = np.asarray(lake.image, np.float64)[lake.water_mask]
    r, g, b = rgb.mean(axis=0)
    assert b > r + 40 and b > g


def test_gps_for_seed_is_deterministic_and_near_qinghai_lake():
    assert gps_for_seed(3) == gps_for_seed(3)
    assert gps_for_seed(3) != gps_for_seed(4)
    for seed in range(200):
        lat, lon, alt = gps_for_seed(seed)
        assert 36.55 <= lat <= 37.25 and 99.6 <= lon <= 100.75 and 3150 <= alt <= 3450


def _dms_to_degrees(dms) -> float:
    d, m, s = (float(v) for v in dms)
    return d + m / 60 + s / 3600


@pytest.mark.parametrize("seed", [0, 1, 17])
def test_exif_round_trips_through_jpeg(seed):
    lat, lon, alt = gps_for_seed(seed)
    taken = datetime.datetime(2025, 7, 14, 10, 32, 5)
    data = exif_bytes(latitude=lat, longitude=lon, altitude_m=alt, taken_at=taken)
    buf = io.BytesIO()
    render_scene(seed, 160, 120).image.save(buf, "JPEG", exif=data)
    exif = Image.open(io.BytesIO(buf.getvalue())).getexif()
    gps = exif.get_ifd(0x8825)
    assert gps[1] == "N" and gps[3] == "E"
    assert _dms_to_degrees(gps[2]) == pytest.approx(lat, abs=1e-6)
    assert _dms_to_degrees(gps[4]) == pytest.approx(lon, abs=1e-6)
    assert gps[5] in (0, b"\x00")
    assert float(gps[6]) == pytest.approx(alt, abs=0.01)
    assert exif.get_ifd(0x8769)[0x9003] == "2025:07:14 10:32:05"
    assert exif[0x010F] == "DJI" and exif[0x0110] == "FC3582"


def test_exif_handles_southern_western_and_aware_times():
    taken = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    data = exif_bytes(latitude=-33.5, longitude=-70.25, altitude_m=512.345, taken_at=taken, make="Acme", model="X1")
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "JPEG", exif=data)
    exif = Image.open(io.BytesIO(buf.getvalue())).getexif()
    gps = exif.get_ifd(0x8825)
    assert (gps[1], gps[3]) == ("S", "W")
    assert _dms_to_degrees(gps[2]) == pytest.approx(33.5, abs=1e-6)
    assert _dms_to_degrees(gps[4]) == pytest.approx(70.25, abs=1e-6)
    assert float(gps[6]) == pytest.approx(512.345, abs=0.01)
    sub = exif.get_ifd(0x8769)
    assert sub[0x9003] == "2024:01:02 03:04:05" and sub[0x9011] == "+08:00"
    assert exif[0x010F] == "Acme" and exif[0x0110] == "X1"
