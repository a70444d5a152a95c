"""EXIF blocks with GPS position and capture time, as a DJI drone would write them."""

from __future__ import annotations

import datetime
import random
from fractions import Fraction

from PIL import Image
from PIL.TiffImagePlugin import IFDRational

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825

# Tag ids (PIL.ExifTags.Base / PIL.ExifTags.GPS).
_MAKE, _MODEL, _DATETIME = 0x010F, 0x0110, 0x0132
_DATETIME_ORIGINAL, _DATETIME_DIGITIZED, _OFFSET_TIME_ORIGINAL = 0x9003, 0x9004, 0x9011
_GPS_VERSION, _LAT_REF, _LAT, _LON_REF, _LON, _ALT_REF, _ALT, _MAP_DATUM = 0, 1, 2, 3, 4, 5, 6, 18

# Seconds are stored with this denominator: 1e-4 arc-seconds is ~3e-8 degrees.
_SECONDS_DENOMINATOR = 10_000


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    """Degrees as (degrees, minutes, seconds) rationals, the layout GPS readers expect."""
    total = round(abs(value) * 3600 * _SECONDS_DENOMINATOR)
    degrees, rest = divmod(total, 3600 * _SECONDS_DENOMINATOR)
    minutes, seconds = divmod(rest, 60 * _SECONDS_DENOMINATOR)
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(seconds, _SECONDS_DENOMINATOR)


def exif_bytes(
    *,
    latitude: float,
    longitude: float,
    altitude_m: float,
    taken_at: datetime.datetime,
    make: str = "DJI",
    model: str = "FC3582",
) -> bytes:
    """Serialized EXIF for ``Image.save(..., exif=...)``.

    ``taken_at`` is written as local wall-clock time (EXIF has no zone in
    DateTimeOriginal); if it is aware, its UTC offset goes to OffsetTimeOriginal.
    """
    exif = Image.Exif()
    stamp = taken_at.strftime("%Y:%m:%d %H:%M:%S")
    exif[_MAKE] = make
    exif[_MODEL] = model
    exif[_DATETIME] = stamp
    sub = exif.get_ifd(_EXIF_IFD)
    sub[_DATETIME_ORIGINAL] = stamp
    sub[_DATETIME_DIGITIZED] = stamp
    offset = taken_at.utcoffset()
    if offset is not None:
        minutes = round(offset.total_seconds() / 60)
        sign = "-" if minutes < 0 else "+"
        sub[_OFFSET_TIME_ORIGINAL] = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    gps = exif.get_ifd(_GPS_IFD)
    gps[_GPS_VERSION] = b"\x02\x03\x00\x00"
    gps[_LAT_REF] = "N" if latitude >= 0 else "S"
    gps[_LAT] = _dms(latitude)
    gps[_LON_REF] = "E" if longitude >= 0 else "W"
    gps[_LON] = _dms(longitude)
    gps[_ALT_REF] = b"\x00" if altitude_m >= 0 else b"\x01"  # 0: above sea level
    alt = Fraction(round(abs(altitude_m) * 1000), 1000)
    gps[_ALT] = IFDRational(alt.numerator, alt.denominator)
    gps[_MAP_DATUM] = "WGS-84"
    return exif.tobytes()


def gps_for_seed(seed: int) -> tuple[float, float, float]:
    """Deterministic (latitude, longitude, altitude in m) around Qinghai Lake."""
    rng = random.Random(f"gps-{seed}")
    return (
        round(rng.uniform(36.55, 37.25), 7),
        round(rng.uniform(99.6, 100.75), 7),
        round(rng.uniform(3150.0, 3450.0), 2),
    )
