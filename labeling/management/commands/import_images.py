"""``manage.py import_images PROJECT PATH...``: files, folders and zip archives."""

import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from labeling.ingest.batch import ingest_paths, summarize
from labeling.ingest.results import FileResult
from labeling.management.lookup import find_project


class Command(BaseCommand):
    help = "Import images into a project from files, folders (recursed) and zip archives."

    def add_arguments(self, parser):
        parser.add_argument("project", help="project id or slug")
        parser.add_argument("paths", nargs="+", help="image files, folders or zip archives")
        parser.add_argument(
            "--workers",
            type=int,
            default=min(4, os.cpu_count() or 1),
            help="threads that decode images in parallel (default: cores, at most 4)",
        )
        parser.add_argument("--user", help="username recorded as the uploader")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args, project: str, paths: list[str], workers: int, user: str | None,
               no_progress: bool, **options):
        target = find_project(project)
        uploader = None
        if user:
            uploader = User.objects.filter(username=user).first()
            if uploader is None:
                raise CommandError(_("No user %(user)s.") % {"user": repr(user)})
        # The raw stream: the bar rewrites one line with \r, which OutputWrapper would end.
        bar = _ProgressBar(getattr(self.stderr, "_out", sys.stderr), enabled=not no_progress)
        started = time.monotonic()
        results = ingest_paths(
            project=target,
            paths=paths,
            uploaded_by=uploader,
            workers=max(1, workers),
            on_total=bar.start,
            on_result=bar.advance,
        )
        bar.finish()
        elapsed = time.monotonic() - started
        counts = summarize(results)
        for result in results:
            if result.status == "error":
                self.stdout.write("  " + _("error") + f"  {result.name}: [{result.code}] {result.detail}")
        self.stdout.write(
            _("%(project)s: %(created)s created, %(duplicate)s duplicates, %(error)s errors, %(files)s files in "
              "%(seconds)s s") % {"project": target.name, "created": counts["created"],
                                  "duplicate": counts["duplicate"], "error": counts["error"],
                                  "files": len(results), "seconds": f"{elapsed:.1f}"}
        )



class _ProgressBar:
    """A one-line bar on a terminal; a line per 10 % when stderr is a file."""

    WIDTH = 30

    def __init__(self, stream, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.tty = enabled and stream.isatty()
        self.total = 0
        self.done = 0
        self.counts = {"created": 0, "duplicate": 0, "error": 0}
        self.started = time.monotonic()
        self.last_decile = -1

    def start(self, total: int) -> None:
        self.total = total
        self.started = time.monotonic()
        self._draw()

    def advance(self, result: FileResult) -> None:
        self.done += 1
        self.counts[result.status] += 1
        self._draw()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self) -> None:
        if not self.enabled:
            return
        share = self.done / self.total if self.total else 1.0
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        filled = int(share * self.WIDTH)
        line = (
            f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done}/{self.total} "
            f"{share:4.0%}  {rate:5.1f} files/s  created {self.counts['created']} "
            f"dup {self.counts['duplicate']} err {self.counts['error']}"
        )
        if self.tty:
            self.stream.write("\r" + line)
            self.stream.flush()
        elif int(share * 10) != self.last_decile:
            self.last_decile = int(share * 10)
            self.stream.write(line + "\n")
