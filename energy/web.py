"""Web requests' CPU time in the ledger, written in batches (never a write per request)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timezone

from energy.ledger import ledger_record_many, site_by_slug
from energy.models import LedgerEntry

WEB_KIND = "web"


@dataclass
class Pending:
    """CPU seconds of the requests that served one project (or task) since the last flush."""

    cpu_seconds: float
    start: float  # epoch seconds: cheaper than datetimes on the hot path
    end: float
    requests: int


class WebMeter:
    """An in-process buffer of request CPU time keyed by (project id | None, task id | None).

    ``add`` is a dictionary update under a lock; ``take`` hands the whole
    buffer over for one batched write.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[tuple[int | None, int | None], Pending] = {}
        self.since: float | None = None

    def add(self, *, project_id: int | None, task_id: int | None, cpu_seconds: float, start: float,
            end: float) -> None:
        with self._lock:
            if self.since is None:
                self.since = start
            p = self._pending.get((project_id, task_id))
            if p is None:
                self._pending[(project_id, task_id)] = Pending(cpu_seconds, start, end, 1)
            else:
                p.cpu_seconds += cpu_seconds
                p.requests += 1
                if start < p.start:
                    p.start = start
                if end > p.end:
                    p.end = end

    def take(self) -> dict[tuple[int | None, int | None], Pending]:
        with self._lock:
            pending, self._pending, self.since = self._pending, {}, None
        return pending


def _moment(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=timezone.utc)


def web_usage_record(rows: list[tuple[int, int | None, str, Pending]]) -> int:
    """Write one server entry per (project, task) with its summed CPU seconds; one INSERT for all.

    ``rows`` are (project id, task id, site slug, pending). The CPU time is
    spread evenly over the first to the last request of the batch.
    """
    sites = {slug: site_by_slug(slug) for slug in {r[2] for r in rows}}
    return ledger_record_many(
        {"consumer": LedgerEntry.Consumer.SERVER, "site": sites[slug], "project_id": project_id, "task_id": task_id,
         "job_kind": WEB_KIND, "started_at": _moment(p.start), "ended_at": _moment(p.end),
         "cpu_seconds": p.cpu_seconds, "details": {"requests": p.requests}}
        for project_id, task_id, slug, p in rows
    )
