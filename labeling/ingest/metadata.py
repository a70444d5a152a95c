"""Drone metadata: orientation, GPS, capture time, DJI relative altitude.

Width and height are stored as the image is displayed (after EXIF
orientation), so boxes, COCO exports and tiles all agree on one size, while
the original bytes are kept untouched.
"""

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from PIL import Image as PILImage

ORIENTATION = 0x0112
DATETIME = 0x0132
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME_ORIGINAL = 0x9003
DATETIME_DIGITIZED = 0x9004
OFFSET_TIME_ORIGINAL = 0x9011
XMP_TIFF_TAG = 700

# Orientations 5-8 turn the picture by 90 degrees: displayed width is stored height.
SWAPPING_ORIENTATIONS = {5, 6, 7, 8}

_XMP_NUMBER = r"\s*([+-]?\d+(?:\.\d+)?)"


@dataclass
class Metadata:
    orientation: int
    width: int
    height: int
    gps_latitude: float | None = None
    gps_longitude: float | None = None
    gps_altitude: float | None = None
    relative_altitude: float | None = None
    captured_at: datetime | None = None


def read_metadata(image: PILImage.Image, *, capture_timezone: str) -> Metadata:
    """Read what the ingest stores from an opened Pillow image.

    Unreadable or out-of-range values become None rather than refusing the
    image: metadata is a bonus, pixels are the product.
    """
    try:
        exif = image.getexif()
    except Exception:  # noqa: BLE001 - a broken EXIF block must not refuse the pixels
        exif = PILImage.Exif()
    orientation = _orientation(exif)
    # A JPEG checked at reduced scale remembers the size its header declares.
    width, height = image.info.get("declared_size", image.size)
    if orientation in SWAPPING_ORIENTATIONS:
        width, height = height, width
    meta = Metadata(orientation=orientation, width=width, height=height)
    gps = _ifd(exif, GPS_IFD)
    meta.gps_latitude = _coordinate(gps.get(2), gps.get(1), "S", 90)
    meta.gps_longitude = _coordinate(gps.get(4), gps.get(3), "W", 180)
    meta.gps_altitude = _altitude(gps.get(6), gps.get(5))
    meta.captured_at = _captured_at(exif, capture_timezone)
    xmp = _xmp_text(image)
    if xmp:
        meta.relative_altitude = _xmp_number(xmp, "drone-dji:RelativeAltitude")
        if meta.gps_latitude is None or meta.gps_longitude is None:
            lat = _xmp_number(xmp, "drone-dji:GpsLatitude")
            lon = _xmp_number(xmp, "drone-dji:GpsLongitude") or _xmp_number(
                xmp, "drone-dji:GpsLongtitude"  # sic: older DJI firmware
            )
            if lat is not None and lon is not None and abs(lat) <= 90 and abs(lon) <= 180:
                meta.gps_latitude, meta.gps_longitude = lat, lon
        if meta.gps_altitude is None:
            meta.gps_altitude = _xmp_number(xmp, "drone-dji:AbsoluteAltitude")
    return meta


def _ifd(exif: PILImage.Exif, tag: int) -> dict:
    try:
        return dict(exif.get_ifd(tag))
    except Exception:  # noqa: BLE001 - malformed IFD: treat as absent
        return {}


def _orientation(exif: PILImage.Exif) -> int:
    try:
        value = int(exif.get(ORIENTATION, 1))
    except (TypeError, ValueError):
        return 1
    return value if 1 <= value <= 8 else 1


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def _coordinate(value, ref, negative_ref: str, bound: float) -> float | None:
    if value is None:
        return None
    try:
        parts = [_number(part) for part in value]
    except TypeError:
        parts = [_number(value)]
    if not parts or any(part is None for part in parts):
        return None
    degrees = parts[0] + (parts[1] / 60 if len(parts) > 1 else 0) + (parts[2] / 3600 if len(parts) > 2 else 0)
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if isinstance(ref, str) and ref.strip().upper().startswith(negative_ref):
        degrees = -degrees
    if not -bound <= degrees <= bound:
        return None
    return round(degrees, 8)


def _altitude(value, ref) -> float | None:
    altitude = _number(value)
    if altitude is None:
        return None
    if isinstance(ref, bytes):
        ref = ref[:1] == b"\x01"
    if ref in (1, True):
        altitude = -altitude  # below sea level
    return round(altitude, 3)


def _captured_at(exif: PILImage.Exif, capture_timezone: str) -> datetime | None:
    exif_ifd = _ifd(exif, EXIF_IFD)
    raw = exif_ifd.get(DATETIME_ORIGINAL) or exif_ifd.get(DATETIME_DIGITIZED) or exif.get(DATETIME)
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "ignore")
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.strptime(raw.strip().rstrip("\x00")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = _utc_offset(exif_ifd.get(OFFSET_TIME_ORIGINAL))
    if offset is not None:
        return moment.replace(tzinfo=offset)
    return moment.replace(tzinfo=ZoneInfo(capture_timezone))


def _utc_offset(raw) -> timezone | None:
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "ignore")
    if not isinstance(raw, str):
        return None
    match = re.fullmatch(r"([+-])(\d{2}):(\d{2})", raw.strip().rstrip("\x00"))
    if not match:
        return None
    sign = -1 if match.group(1) == "-" else 1
    delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
    if delta > timedelta(hours=14):
        return None
    return timezone(sign * delta)


def _xmp_text(image: PILImage.Image) -> str:
    raw = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    if raw is None and hasattr(image, "tag_v2"):
        raw = image.tag_v2.get(XMP_TIFF_TAG)
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "ignore")
    return raw if isinstance(raw, str) else ""


def _xmp_number(xmp: str, name: str) -> float | None:
    """A number stored as an attribute (name="+12.3") or an element (<name>12.3</name>)."""
    pattern = re.escape(name) + r'\s*=\s*"' + _XMP_NUMBER + r'"|<' + re.escape(name) + r">" + _XMP_NUMBER
    match = re.search(pattern, xmp)
    if not match:
        return None
    return _number(match.group(1) or match.group(2))
