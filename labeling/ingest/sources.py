"""Where files come from: uploads, server paths, folders and zip archives.

Each input becomes a list of :class:`Source` objects: a display name (never
used to store anything), a way to open the bytes, and possibly a refusal
decided before any byte is decoded (an unsafe archive, a skipped member).
Archives are read in place; no member is ever written under its own name.
"""

from django.utils.translation import gettext as _

import os
import re
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from tempfile import SpooledTemporaryFile
from typing import BinaryIO

from labeling.ingest.limits import Limits, human_bytes
from labeling.ingest.results import Refusal
from labeling.ingest.validate import is_zip

# Below this size a high compression ratio is normal (text, flat test images).
_RATIO_FLOOR_BYTES = 1024 * 1024
_SPOOL_BYTES = 16 * 1024 * 1024
_CHUNK = 1024 * 1024


@dataclass
class Source:
    name: str
    open: Callable[[], BinaryIO] | None = None
    size: int | None = None
    refusal: Refusal | None = None
    in_archive: bool = False
    # Where another process finds the same bytes (server paths only): the
    # absolute file path and, for an archive member, its name in the zip.
    path: str | None = None
    member: str | None = None


def clean_name(name: str) -> str:
    """A display name: the last path part, printable, at most 255 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return (base or "unnamed")[-255:]


def sources_from_uploads(files: Iterable, *, limits: Limits, stack: ExitStack) -> Iterator[Source]:
    """Uploaded files (Django ``UploadedFile``); zip uploads are expanded."""
    for upload in files:
        name = clean_name(upload.name)
        upload.seek(0)
        head = upload.read(8)
        upload.seek(0)
        if is_zip(head):
            yield from _zip_sources(name, upload, limits=limits, stack=stack)
        else:
            yield Source(name=name, open=lambda upload=upload: upload, size=upload.size)


def sources_from_paths(paths: Iterable[str], *, limits: Limits, stack: ExitStack) -> Iterator[Source]:
    """Server-side files, folders (recursed, sorted) and zip archives."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for filename in sorted(files):
                    if filename.startswith("."):
                        continue
                    file_path = Path(root) / filename
                    yield from _path_sources(file_path, str(file_path.relative_to(path.parent)), limits, stack)
        elif path.is_file():
            yield from _path_sources(path, str(raw), limits, stack)
        else:
            yield Source(name=str(raw), refusal=Refusal("not_found", _("No such file or folder.")))


def _path_sources(path: Path, name: str, limits: Limits, stack: ExitStack) -> Iterator[Source]:
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
        size = path.stat().st_size
    except OSError as exc:
        yield Source(name=name, refusal=Refusal("unreadable", _("The file cannot be read: %(strerror)s") % {"strerror": exc.strerror}))
        return
    if is_zip(head):
        archive = stack.enter_context(open(path, "rb"))
        yield from _zip_sources(name, archive, limits=limits, stack=stack, origin=str(path.resolve()))
    else:
        yield Source(name=name, open=lambda: open(path, "rb"), size=size, path=str(path.resolve()))


def source_ref(source: Source) -> dict:
    """What a worker on another machine needs to open ``source`` again (JSON)."""
    if source.refusal is not None or source.path is None:
        refusal = source.refusal or Refusal("unreadable", _("The file cannot be read."))
        return {"name": source.name, "code": refusal.code, "detail": refusal.detail}
    ref = {"name": source.name, "path": source.path}
    if source.member is not None:
        ref["member"] = source.member
    return ref


def sources_from_refs(refs: Iterable[dict], *, limits: Limits, stack: ExitStack) -> Iterator[Source]:
    """The sources that :func:`source_ref` described, opened in this process.

    The archive was checked as a whole when it was listed; each member is
    still read through :func:`_extract`, which stops at the declared size.
    """
    archives: dict[str, tuple[zipfile.ZipFile, threading.Lock]] = {}
    for ref in refs:
        name = ref["name"]
        if "code" in ref:
            yield Source(name=name, refusal=Refusal(ref["code"], ref["detail"]))
            continue
        path = Path(ref["path"])
        member = ref.get("member")
        if member is None:
            yield Source(name=name, open=lambda path=path: _open_shared(path), path=str(path))
            continue
        try:
            if ref["path"] not in archives:
                archives[ref["path"]] = (stack.enter_context(zipfile.ZipFile(path)), threading.Lock())
            archive, lock = archives[ref["path"]]
            info = archive.getinfo(member)
        except OSError as exc:
            yield Source(name=name, refusal=Refusal(
                "unreadable", _("The file cannot be read: %(strerror)s") % {"strerror": exc.strerror}))
            continue
        except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
            yield Source(name=name, refusal=Refusal(
                "corrupt_archive", _("The zip archive cannot be read: %(exc)s") % {"exc": exc}))
            continue
        yield Source(name=name, open=lambda archive=archive, info=info, lock=lock: _extract(archive, info, lock, limits),
                     size=info.file_size, in_archive=True, path=str(path), member=member)


def _open_shared(path: Path) -> BinaryIO:
    # The file was there when the run was listed; on a worker it may be gone
    # or not mounted, which is this file's refusal, not an internal error.
    try:
        return open(path, "rb")
    except OSError as exc:
        raise Refusal("unreadable", _("The file cannot be read: %(strerror)s") % {"strerror": exc.strerror}) from None


def _unsafe_member_path(member: str) -> bool:
    name = member.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return True
    return any(part == ".." for part in name.split("/"))


def _junk_member(member: str) -> bool:
    parts = member.replace("\\", "/").split("/")
    return parts[0] == "__MACOSX" or parts[-1].startswith(".")


def check_archive(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Refuse a whole archive that is hostile or absurd, before reading a member."""
    if len(infos) > limits.zip_max_members:
        raise Refusal(
            "archive_too_many_members",
            _("The archive has %(n)s members; the limit is %(limit)s.")
            % {"n": f"{len(infos):,}", "limit": f"{limits.zip_max_members:,}"},
        )
    for info in infos:
        if _unsafe_member_path(info.filename):
            raise Refusal(
                "archive_unsafe_path",
                _("The archive member %(name)s points outside the archive; the whole archive is refused.")
                % {"name": repr(info.filename[:200])},
            )
    total = sum(info.file_size for info in infos)
    if total > limits.zip_max_total_bytes:
        raise Refusal(
            "archive_too_large",
            _("The archive unpacks to %(size)s; the limit is %(limit)s.")
            % {"size": human_bytes(total), "limit": human_bytes(limits.zip_max_total_bytes)},
        )
    for info in infos:
        if info.file_size <= _RATIO_FLOOR_BYTES:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.zip_max_ratio:
            raise Refusal(
                "archive_bomb",
                _("The archive member %(name)s expands %(ratio)s times (limit %(limit)s): refused as a zip bomb.")
                % {"name": repr(info.filename[:200]), "ratio": f"{ratio:,.0f}", "limit": f"{limits.zip_max_ratio:,.0f}"},
            )


def _zip_sources(name: str, fh: BinaryIO, *, limits: Limits, stack: ExitStack,
                 origin: str | None = None) -> Iterator[Source]:
    try:
        archive = stack.enter_context(zipfile.ZipFile(fh))
        infos = archive.infolist()
        check_archive(infos, limits)
    except Refusal as refusal:
        yield Source(name=name, refusal=refusal)
        return
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        yield Source(name=name, refusal=Refusal("corrupt_archive", _("The zip archive cannot be read: %(exc)s") % {"exc": exc}))
        return
    # One member is read at a time: ZipFile shares a single file position.
    lock = threading.Lock()
    for info in infos:
        if info.is_dir() or _junk_member(info.filename):
            continue
        member = f"{name}/{info.filename}"
        if info.flag_bits & 0x1:
            yield Source(member, refusal=Refusal("encrypted_member", _("Encrypted archive members are skipped.")),
                         in_archive=True)
            continue
        yield Source(
            name=member,
            open=lambda info=info: _extract(archive, info, lock, limits),
            size=info.file_size,
            in_archive=True,
            path=origin,
            member=info.filename if origin else None,
        )


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, lock: threading.Lock, limits: Limits) -> BinaryIO:
    """Copy one member into a spooled temporary file, never past the limits."""
    spool = SpooledTemporaryFile(max_size=_SPOOL_BYTES)
    written = 0
    try:
        with lock, archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                written += len(chunk)
                if written > min(limits.max_file_bytes, info.file_size):
                    raise Refusal("archive_bomb", _("The member unpacks to more than it declares or allows."))
                spool.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        spool.close()
        raise Refusal("corrupt_archive_member", _("The archive member cannot be read: %(exc)s") % {"exc": exc}) from None
    except Refusal:
        spool.close()
        raise
    spool.seek(0)
    return spool
