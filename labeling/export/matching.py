"""Which of the project's images an imported annotation file means.

In order, the first rule that finds something wins:

1. Our own export's name: ``<image id>.<ext>`` (in any folder, e.g.
   ``images/default/9.jpg`` or a YOLO label ``9.txt``), when that id is an
   image of this project with that extension. If another image's original
   name is exactly the same, the name is ambiguous.
2. The original (uploaded) name, exactly: our export's
   ``plateau.original_name``, the full name, then its last path part.
3. Tolerantly: case-insensitive, extension-insensitive, URL schemes, hosts,
   query strings and fragments dropped (Label Studio's ``?d=`` local-files
   path is followed), Windows separators accepted, and Label Studio's
   8-hex upload prefix (``7be366fa-name.jpg``) removed, on both sides.

A name that fits several images is an error listing the candidates; one
that fits none is an error too.
"""

import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from labeling.export.items import image_extension
from labeling.models import Image, Project

_EXPORT_NAME = re.compile(r"^(\d{1,18})(?:\.([A-Za-z0-9]+))?$")
_UPLOAD_PREFIX = re.compile(r"^[0-9a-f]{8}-", re.IGNORECASE)
_LISTED = 5


@dataclass(frozen=True, slots=True)
class Target:
    image_id: int
    original_name: str
    width: int
    height: int
    task_id: int | None


class NoMatch(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _path_of(name: str) -> str:
    """The path part of a file name or URL, with forward slashes."""
    name = name.strip().replace("\\", "/")
    parts = urlsplit(name)
    local = parse_qs(parts.query).get("d")
    if local:
        return local[0]
    if parts.scheme and len(parts.scheme) > 1:  # not a Windows drive letter
        return unquote(parts.path)
    return name.split("?", 1)[0].split("#", 1)[0]


def tolerant_key(name: str) -> str:
    base = posixpath.basename(_path_of(name)).lower()
    base = _UPLOAD_PREFIX.sub("", base)
    stem, dot, _ = base.rpartition(".")
    return stem if dot else base


class ImageIndex:
    """The project's images, indexed by id, original name and tolerant key."""

    def __init__(self, project: Project) -> None:
        self.by_id: dict[int, tuple[Target, str]] = {}
        self.by_name: dict[str, list[Target]] = defaultdict(list)
        self.by_key: dict[str, list[Target]] = defaultdict(list)
        rows = Image.objects.filter(project=project).values_list(
            "id", "original_name", "width", "height", "task__id", "file")
        for image_id, original, width, height, task_id, stored in rows:
            target = Target(image_id, original, width, height, task_id)
            self.by_id[image_id] = (target, image_extension(stored))
            self.by_name[original].append(target)
            self.by_key[tolerant_key(original)].append(target)

    def match(self, name: str, original_name: str | None = None) -> Target:
        """The one image ``name`` means, or :class:`NoMatch` saying why not."""
        path = _path_of(name)
        base = posixpath.basename(path)
        found = self._by_export_name(base)
        if found is not None:
            same_name = [t for t in self.by_name.get(base, []) if t.image_id != found.image_id]
            if same_name:
                raise self._ambiguous(name, [found, *same_name])
            return found
        for exact in (original_name, name, path, base):
            if isinstance(exact, str) and exact in self.by_name:
                return self._one(name, self.by_name[exact])
        candidates = self.by_key.get(tolerant_key(name), [])
        if not candidates:
            raise NoMatch("unknown_image", f"No image of the project is named {name!r}.")
        return self._one(name, candidates)

    def _by_export_name(self, base: str) -> Target | None:
        exported = _EXPORT_NAME.match(base)
        if exported is None:
            return None
        entry = self.by_id.get(int(exported.group(1)))
        if entry is None:
            return None
        target, ext = entry
        wanted = exported.group(2)
        return target if wanted is None or wanted.lower() == ext else None

    def _one(self, name: str, candidates: list[Target]) -> Target:
        if len(candidates) > 1:
            raise self._ambiguous(name, candidates)
        return candidates[0]

    @staticmethod
    def _ambiguous(name: str, candidates: list[Target]) -> NoMatch:
        listed = ", ".join(f"{t.original_name!r} (image {t.image_id})" for t in candidates[:_LISTED])
        more = f" and {len(candidates) - _LISTED} more" if len(candidates) > _LISTED else ""
        return NoMatch("ambiguous_image", f"{name!r} fits {len(candidates)} images: {listed}{more}.")
