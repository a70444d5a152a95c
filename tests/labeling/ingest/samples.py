"""Small image and archive files for the ingest tests, built in memory."""

import io
import os
import zipfile
from pathlib import Path

from PIL import Image as PILImage
from PIL.TiffImagePlugin import IFDRational

from labeling.models import Image, Task

DJI_XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:drone-dji="http://www.dji.com/drone-dji/1.0/" '
    b'drone-dji:RelativeAltitude="+120.50" drone-dji:AbsoluteAltitude="+3320.10"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


def jpeg_bytes(
    width: int = 80,
    height: int = 60,
    *,
    color=(30, 110, 70),
    orientation: int | None = None,
    gps: tuple[float, float, float] | None = None,
    taken: str | None = None,
    offset: str | None = None,
    xmp: bytes | None = None,
    quality: int = 90,
) -> bytes:
    exif = PILImage.Exif()
    if orientation:
        exif[0x0112] = orientation
    if gps:
        lat, lon, alt = gps
        exif[0x8825] = {
            1: "N" if lat >= 0 else "S",
            2: _dms(abs(lat)),
            3: "E" if lon >= 0 else "W",
            4: _dms(abs(lon)),
            5: b"\x00",
            6: IFDRational(int(alt * 10), 10),
        }
    if taken:
        exif_ifd = {0x9003: taken}
        if offset:
            exif_ifd[0x9011] = offset
        exif[0x8769] = exif_ifd
    picture = PILImage.new("RGB", (width, height), color)
    # A marker in the top-left corner, to see where rotation puts it.
    picture.paste((250, 20, 20), (0, 0, max(1, width // 4), max(1, height // 4)))
    buffer = io.BytesIO()
    options = {"quality": quality}
    if len(exif):
        options["exif"] = exif
    if xmp:
        options["xmp"] = xmp
    picture.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def _dms(value: float):
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 1000)
    return (IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(seconds, 1000))


def encoded(fmt: str, width: int = 50, height: int = 40, mode: str = "RGB", color=(200, 100, 50)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new(mode, (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``×``height`` (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def stored_files(media_root: Path) -> list[str]:
    if not media_root.exists():
        return []
    return sorted(
        str(Path(root, name).relative_to(media_root))
        for root, _dirs, names in os.walk(media_root)
        for name in names
    )


def assert_nothing_stored(media_root: Path) -> None:
    assert Image.objects.count() == 0
    assert Task.objects.count() == 0
    assert stored_files(media_root) == []
