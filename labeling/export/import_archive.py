"""Reading the small text members (JSON, YAML, label TXT, VOC XML) of an uploaded zip.

Images inside the zip are never unpacked. The members read are limited in
number and in unpacked bytes (the upload limit, COCO_IMPORT_MAX_BYTES, also
bounds what a zip may unpack to), so a zip bomb is a 4xx, not a full disk or
memory.
"""

import io
import posixpath
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

from config.errors import DomainError, TooLarge


def is_zip(raw: bytes) -> bool:
    return raw[:4] == b"PK\x03\x04"


def read_members(raw: bytes, suffixes: tuple[str, ...], *, fmt: str) -> dict[str, bytes]:
    """{path: bytes} of the members whose names end with ``suffixes`` (case-insensitive)."""
    limit = settings.COCO_IMPORT_MAX_BYTES
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        raise DomainError(_("The file is not a readable zip."), code=f"not_{fmt}") from None
    members: dict[str, bytes] = {}
    total = 0
    with archive:
        for info in archive.infolist():
            name = info.filename.replace("\\", "/")
            if info.is_dir() or not name.lower().endswith(suffixes) or _hidden(name):
                continue
            if len(members) >= settings.DATASET_IMPORT_MAX_MEMBERS:
                raise TooLarge(_("The zip holds more than %(n)s annotation files.")
                               % {"n": settings.DATASET_IMPORT_MAX_MEMBERS}, limit=settings.DATASET_IMPORT_MAX_MEMBERS)
            total += info.file_size
            if total > limit:
                raise TooLarge(_("The zip's annotation files unpack to more than %(limit)s bytes.") % {"limit": limit}, limit=limit)
            try:
                with archive.open(info) as member:
                    data = member.read(info.file_size + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
                raise DomainError(_("%(name)s: cannot be unpacked (%(exc)s).") % {"name": name, "exc": exc}, code=f"not_{fmt}") from None
            if len(data) > info.file_size:
                raise DomainError(_("%(name)s: unpacks to more than its header says.") % {"name": name}, code=f"not_{fmt}")
            members[name] = data
    return members


def _hidden(name: str) -> bool:
    # macOS adds __MACOSX/._name copies of every file to zips it makes.
    return any(part.startswith(".") or part == "__MACOSX" for part in name.split("/"))


def coco_json_from_zip(raw: bytes) -> bytes:
    """The annotations JSON of a COCO zip: the only one, or the only one under annotations/."""
    files = read_members(raw, (".json",), fmt="coco")
    files.pop("plateau.json", None)
    under = [name for name in files if posixpath.dirname(name).split("/")[-1] == "annotations"]
    chosen = under if len(under) == 1 else list(files)
    if len(chosen) != 1:
        listed = ", ".join(sorted(files)[:10]) or "none"
        raise DomainError(_("The zip should hold one COCO JSON file; it holds: %(listed)s.") % {"listed": listed}, code="not_coco")
    return files[chosen[0]]
