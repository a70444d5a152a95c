"""Ingest limits, read from settings at call time (never at import)."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_pixels: int
    max_files_per_request: int
    max_request_bytes: int
    zip_max_members: int
    zip_max_total_bytes: int
    zip_max_ratio: float


def current_limits() -> Limits:
    return Limits(
        max_file_bytes=settings.INGEST_MAX_FILE_BYTES,
        max_pixels=settings.INGEST_MAX_PIXELS,
        max_files_per_request=settings.INGEST_MAX_FILES_PER_REQUEST,
        max_request_bytes=settings.INGEST_MAX_REQUEST_BYTES,
        zip_max_members=settings.INGEST_ZIP_MAX_MEMBERS,
        zip_max_total_bytes=settings.INGEST_ZIP_MAX_TOTAL_BYTES,
        zip_max_ratio=settings.INGEST_ZIP_MAX_RATIO,
    )


def human_bytes(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"
