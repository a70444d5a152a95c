"""Keeping a lease: the check before every write, renewal (heartbeat or save) and active time, release, sweep."""

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config.errors import Conflict, DomainError
from config.rows import Reader, fetchone
from labeling.active_energy import active_energy_record
from labeling.durability import commit_without_flush_wait
from labeling.models import Annotation, Lease, Task


def lease_for_write(*, task: Task, annotator: User, now: datetime, renew_seconds: int | None = None) -> Lease:
    """Return the annotator's live lease on the task, locked, or refuse with 409.

    With ``renew_seconds`` the lease is also renewed (heartbeat, save): its
    expiry becomes at least ``now + renew_seconds``, never earlier than it was
    (an assignment's long lease stays long), in the statement that locks it.
    ``lease_expired`` when the last lease ran out, ``no_lease`` when the
    annotator holds none (never had one, or released it by submit or skip).
    """
    if renew_seconds is None:
        lease = _lock_live(task, annotator)
    else:
        lease = _lock_and_renew(task, annotator, now, now + timedelta(seconds=renew_seconds))
    if lease is not None and lease.expires_at > now:
        return lease
    expired = (lease is not None or Lease.objects.filter(task=task, annotator=annotator).filter(
        Q(release_reason=Lease.Release.EXPIRED) | Q(released_at__isnull=True)).exists())
    if expired:
        raise Conflict(
            _("Your lease on this task expired and the task went back to the pool; ask for the next task."),
            code="lease_expired",
        )
    raise Conflict(_("You hold no lease on this task."), code="no_lease")


_lease = Reader(Lease, "l")
# Fixed SQL texts (``config.rows``): a save and a submit run one of them; built by the
# ORM, each cost ~1 ms of CPU.
_LOCK_LIVE = (
    f"SELECT {_lease.columns} FROM {_lease.table} l"
    " WHERE l.task_id = %(task)s AND l.annotator_id = %(user)s AND l.released_at IS NULL FOR UPDATE"
)
# The caller's live lease, and how a save or heartbeat renews it: never earlier than it
# was (an assignment's long lease stays long). A save's single statement uses both too.
LIVE_LEASE = "l.task_id = %(task)s AND l.annotator_id = %(user)s AND l.released_at IS NULL AND l.expires_at > %(now)s"
RENEW = "expires_at = GREATEST(l.expires_at, %(until)s)"
_LOCK_AND_RENEW = f"UPDATE {_lease.table} l SET {RENEW} WHERE {LIVE_LEASE} RETURNING {_lease.columns}"


def _lock_live(task: Task, annotator: User) -> Lease | None:
    """The unreleased lease (one at most, by the unique index), locked."""
    row = fetchone(_LOCK_LIVE, {"task": task.pk, "user": annotator.pk})
    return _lease.build(row) if row else None


def _lock_and_renew(task: Task, annotator: User, now: datetime, until: datetime) -> Lease | None:
    """The live lease, renewed to ``until`` and locked, in one statement (``UPDATE ... RETURNING``)
    instead of a lock and an update: a save renews the lease at no extra round trip. None when
    the caller holds no live lease (the refusal is then worded by the caller)."""
    row = fetchone(_LOCK_AND_RENEW, {"until": until, "task": task.pk, "user": annotator.pk, "now": now})
    return _lease.build(row) if row else None


def active_time_credit(*, lease: Lease, reported: float | None, now: datetime) -> float:
    """Seconds of reported active time to credit, and advance the lease's clock.

    The credit is capped by the wall time since the previous credit (so two
    tabs or a replayed request cannot count the same minute twice) and by the
    idle cut-off (a page left open overnight is not work). Call with the
    lease row locked; the caller saves ``heartbeat_at``.
    """
    since = lease.heartbeat_at or lease.created_at
    wall = max(0.0, (now - since).total_seconds())
    lease.heartbeat_at = now
    if reported is None or not math.isfinite(reported) or reported <= 0:
        return 0.0
    return min(float(reported), wall, settings.LABELING_IDLE_CUTOFF_SECONDS)


def lease_renew(
    *, task: Task, annotator: User, active_seconds: float | None = None, now: datetime | None = None
) -> Lease:
    """Extend the caller's live lease by the project's lease length (heartbeat).

    The returned lease carries ``active_seconds_total``: the annotation's
    active time after this credit.
    """
    now = now or timezone.now()
    if active_seconds is not None and (not math.isfinite(active_seconds) or active_seconds < 0):
        raise DomainError(_("active_seconds must be a finite number >= 0."), code="invalid_active_seconds")
    with transaction.atomic():
        # A heartbeat only keeps the lease (labeling/durability.py).
        commit_without_flush_wait()
        lease = lease_for_write(task=task, annotator=annotator, now=now, renew_seconds=task.project.lease_seconds)
        credited = active_time_credit(lease=lease, reported=active_seconds, now=now)
        lease.save(update_fields=["heartbeat_at"])
        lease.active_seconds_total = _credit_active_seconds(task, annotator, credited)
        active_energy_record(task=task, annotator=annotator, credited=credited, now=now)
    return lease


_CREDIT = (
    f"UPDATE {Annotation._meta.db_table} SET active_seconds = active_seconds + %s"
    " WHERE task_id = %s AND annotator_id = %s RETURNING active_seconds"
)


def _credit_active_seconds(task: Task, annotator: User, credited: float) -> float:
    """Add the credit and return the new total.

    One statement, ``UPDATE ... RETURNING``, which the ORM cannot express
    (its ``update()`` returns a row count): through the ORM this is an
    update and a read, two round trips on every heartbeat.
    """
    if not credited:
        total = Annotation.objects.filter(task=task, annotator=annotator).values_list("active_seconds", flat=True)
        return next(iter(total), 0.0)
    with connection.cursor() as cursor:
        cursor.execute(_CREDIT, [credited, task.pk, annotator.pk])
        row = cursor.fetchone()
    return row[0] if row else 0.0


def lease_release(*, lease: Lease, reason: str, now: datetime) -> None:
    Lease.objects.filter(pk=lease.pk, released_at__isnull=True).update(released_at=now, release_reason=reason)
    lease.released_at, lease.release_reason = now, reason
    _slots_freed([lease.task_id])


def _slots_freed(task_ids: list[int]) -> None:
    """A slot went back: the pool walks these tasks with the others again (``Task.full_until``)."""
    Task.objects.filter(pk__in=task_ids, full_until__isnull=False).update(full_until=None)


def lease_sweep_expired(*, now: datetime | None = None) -> int:
    """Mark leases past their expiry as released (reason ``expired``).

    Tidying only: the pool already ignores expired leases. Uses the partial
    index on unreleased leases, so it costs the number of stale rows.
    """
    now = now or timezone.now()
    # Also the pool's "held full until" hints that ran out (their own partial index).
    Task.objects.filter(full_until__lte=now).update(full_until=None)
    return Lease.objects.filter(released_at__isnull=True, expires_at__lte=now).update(
        released_at=now, release_reason=Lease.Release.EXPIRED
    )


def leases_revoke(*, task_ids: list[int], now: datetime) -> int:
    """Release every live lease and assignment of these tasks: their slots go back to the pool.

    The annotators' drafts stay theirs (and count as "seen"), so the freed slots
    go to other annotators.
    """
    revoked = Lease.objects.filter(task_id__in=task_ids, released_at__isnull=True).update(
        released_at=now, release_reason=Lease.Release.REVOKED
    )
    _slots_freed(task_ids)
    return revoked
