"""The upload check reads a JPEG to its last byte, though it decodes at 1/8 scale."""

import io
import random

import pytest
from PIL import Image as PILImage

from labeling.ingest.limits import current_limits
from labeling.ingest.metadata import read_metadata
from labeling.ingest.results import Refusal
from labeling.ingest.validate import decode_fully


def _noisy_jpeg(width: int, height: int) -> bytes:
    # Entropy-heavy like a real drone photo, so the scan spans most of the file.
    rng = random.Random(7)
    picture = PILImage.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85, progressive=False)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def whole() -> bytes:
    return _noisy_jpeg(1600, 1200)


@pytest.mark.parametrize("keep", [0.2, 0.6, 0.9, 0.99, -2])
def test_a_jpeg_cut_anywhere_is_refused(whole, keep):
    end = len(whole) + keep if keep < 0 else int(len(whole) * keep)
    with pytest.raises(Refusal) as refused:
        decode_fully(io.BytesIO(whole[:end]), "JPEG", current_limits())
    assert refused.value.code == "corrupt_image"


def test_a_whole_jpeg_is_accepted_with_its_declared_size(whole):
    image = decode_fully(io.BytesIO(whole), "JPEG", current_limits())
    meta = read_metadata(image, capture_timezone="Asia/Shanghai")
    assert (meta.width, meta.height) == (1600, 1200)
