"""``manage.py import_images PROJECT PATH...``: files, folders and zip archives.

By default this process ingests every file (``--workers`` threads); with
``--queue`` it only lists them and Celery workers, as many as are running,
ingest them in chunks (labeling/ingest/queued.py).
"""

import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User
from config.broker import BROKER_ERRORS
from labeling.ingest import queued
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
        parser.add_argument(
            "--queue",
            action="store_true",
            help="send the files to Celery workers in chunks instead of ingesting them here; the workers must "
                 "see the same paths (a shared folder) and the same media storage",
        )
        parser.add_argument(
            "--chunk-files",
            type=int,
            default=queued.DEFAULT_CHUNK_FILES,
            help=f"files per Celery job with --queue (default {queued.DEFAULT_CHUNK_FILES})",
        )
        parser.add_argument("--user", help="username recorded as the uploader")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")

    def handle(self, *args, project: str, paths: list[str], workers: int, user: str | None,
               no_progress: bool, queue: bool = False, chunk_files: int = queued.DEFAULT_CHUNK_FILES, **options):
        target = find_project(project)
        uploader = None
        if user:
            uploader = User.objects.filter(username=user).first()
            if uploader is None:
                raise CommandError(_("No user %(user)s.") % {"user": repr(user)})
        # The raw stream: the bar rewrites one line with \r, which OutputWrapper would end.
        bar = _ProgressBar(getattr(self.stderr, "_out", sys.stderr), enabled=not no_progress)
        started = time.monotonic()
        if queue:
            results = self._queued(target, paths, uploader, chunk_files, bar)
        else:
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

    def _queued(self, target, paths, uploader, chunk_files: int, bar: "_ProgressBar") -> list[FileResult]:
        """Queue the run, follow its chunks as workers finish them, forget it once reported."""
        seen: set[int] = set()

        def report(run) -> None:
            for result in queued.run_poll(run, seen):
                bar.advance(result)

        warned = False

        def idle(seconds: float) -> None:
            nonlocal warned
            if seconds > IDLE_WARNING_SECONDS and not warned:
                warned = True
                self.stderr.write(_("No chunk finished for %(seconds)s s: is a Celery worker running on this "
                                    "broker?") % {"seconds": IDLE_WARNING_SECONDS})

        try:
            sent = queued.run_queue(project=target, paths=paths, uploaded_by=uploader, chunk_files=chunk_files,
                                    on_total=bar.start, on_sent=report)
        except BROKER_ERRORS as exc:
            raise CommandError(_("The jobs could not be queued: %(error)s") % {"error": exc}) from exc
        for result in queued.run_follow(sent.run, seen=seen, on_idle=idle):
            bar.advance(result)
        results = queued.run_results(sent.run)
        queued.run_forget(sent.run)
        return results


# A queued run that makes no progress for this long probably has no worker.
IDLE_WARNING_SECONDS = 60


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
