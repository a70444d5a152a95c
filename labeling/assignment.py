"""Who works on what: leasing tasks to annotators, renewing, releasing, assigning.

``task_lease_next`` is a short chain of named strategies, each returning a
lease or None; the first lease wins. Concurrency comes from the database:

* PostgreSQL: the candidate task row is taken with
  ``SELECT ... FOR UPDATE SKIP LOCKED`` inside ``transaction.atomic``, so two
  annotators pressing "next" at once are handed different tasks without
  waiting for each other, and every lease of a task is created while holding
  that task's row lock. The free-slot count is re-read after the lock is
  held (a new statement sees everything committed by earlier lock holders).
  There the chain's statements are plain SQL (``assignment_pg.py``: "next"
  is the hottest call, and the ORM spent longer building them than the
  database running them); the ORM versions below are the same queries.
* SQLite: row locks do not exist; ``transaction_mode = IMMEDIATE`` (see the
  settings) makes every transaction take the database write lock at BEGIN,
  so the same read-check-insert runs serialized.

Slots: a task needs ``project.overlap`` distinct annotators. A slot is taken
by a submitted annotation (``task.submitted_count``) or by a *live* lease
(``released_at IS NULL AND expires_at > now``). Expired leases stop counting
the moment they expire, so no background job has to run before a task goes
back to the pool; ``lease_sweep_expired`` only tidies rows up.

Never twice to one person: taking a lease creates the annotator's
``Annotation`` row (a draft), unique per (task, annotator); the pool excludes
tasks where the caller has one, whatever its status (a skip counts as seen).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from accounts.roles import role_allows
from config.errors import Conflict, DomainError
from labeling import assignment_pg
from labeling.durability import without_flush_wait
from labeling.access import project_role
from labeling.models import Annotation, Lease, Project, Task

@dataclass
class LeaseRequest:
    project: Project
    annotator: User
    now: datetime
    _live: list[Lease] | None = None
    # (annotations seen in the project, of which gold), read with the user lock.
    seen: tuple[int, int] = (0, 0)

    def live_leases(self) -> list[Lease]:
        """The caller's live leases in the project, oldest first (one query, shared)."""
        if self._live is None and _on_postgres():
            self._live = assignment_pg.live_leases(user_id=self.annotator.pk, project=self.project, now=self.now)
        if self._live is None:
            self._live = list(_live_leases(self))
            for lease in self._live:
                lease.task.project = self.project
        return self._live


Strategy = Callable[[LeaseRequest], Lease | None]


# --- the chain -------------------------------------------------------------


def _resume_own_lease(ask: LeaseRequest) -> Lease | None:
    """The caller's live self-taken lease in this project: finish it first."""
    return next((lease for lease in ask.live_leases() if lease.assigned_by_id is None), None)


def _take_assignment(ask: LeaseRequest) -> Lease | None:
    """A task a supervisor assigned to the caller, oldest assignment first."""
    return next((lease for lease in ask.live_leases() if lease.assigned_by_id is not None), None)


def _take_gold_if_due(ask: LeaseRequest) -> Lease | None:
    """A gold task when the caller's share of gold is below the project's rate.

    Gold tasks are a yardstick shown to every annotator once (no overlap cap)
    and are never marked as gold in anything the annotator sees.
    """
    if ask.project.gold_rate <= 0 or not _gold_is_due(ask):
        return None
    return _claim_from_pool(ask, gold=True)


def _take_from_pool(ask: LeaseRequest) -> Lease | None:
    """Priority first, then tasks others already started, then the oldest."""
    return _claim_from_pool(ask, gold=False)


STRATEGIES: tuple[Strategy, ...] = (
    _resume_own_lease,
    _take_assignment,
    _take_gold_if_due,
    _take_from_pool,
)


def task_lease_next(*, project: Project, annotator: User, now: datetime | None = None) -> Lease | None:
    """Return the caller's lease on their next task, or None when nothing is left."""
    ask = LeaseRequest(project=project, annotator=annotator, now=now or timezone.now())
    with transaction.atomic():
        # One "next" at a time per person (two tabs pressing next together
        # must not end with two self-taken leases). The same query relaxes the
        # commit (labeling/durability.py): a lease is bookkeeping.
        if _on_postgres():
            ask.seen = assignment_pg.lock_annotator(
                user_id=annotator.pk, project_id=project.pk, count_seen=project.gold_rate > 0
            )
        else:
            ask.seen = _lock_annotator(annotator, project)
        for strategy in STRATEGIES:
            lease = strategy(ask)
            if lease is not None:
                return lease
    return None


def _on_postgres() -> bool:
    return connection.vendor == "postgresql"


def _lock_annotator(annotator: User, project: Project) -> tuple[int, int]:
    """The ORM twin of ``assignment_pg.lock_annotator``."""
    me = User.objects.select_for_update().filter(pk=annotator.pk)
    if project.gold_rate > 0:
        # What the gold rate needs, in the same round trip. Counted in the
        # statement's snapshot, which misses a draft that another tab's "next"
        # committed while this one waited for the lock; harmless, since that
        # "next" left a live lease, which this one then resumes before gold.
        me = me.annotate(_seen=_seen_count(annotator, project), _seen_gold=_seen_count(annotator, project, gold=True))
    row = without_flush_wait(me).only("pk").first()
    return (getattr(row, "_seen", 0), getattr(row, "_seen_gold", 0))


# --- pieces of the chain ---------------------------------------------------


def _live_leases(ask: LeaseRequest) -> QuerySet[Lease]:
    return (
        Lease.objects.filter(
            annotator=ask.annotator,
            task__project=ask.project,
            released_at__isnull=True,
            expires_at__gt=ask.now,
        )
        .select_related("task", "task__image")
        .order_by("created_at", "id")
    )


def _seen_count(annotator: User, project: Project, *, gold: bool = False) -> Coalesce:
    seen = Annotation.objects.filter(annotator=annotator, task__project=project)
    if gold:
        seen = seen.filter(task__is_gold=True)
    counted = seen.order_by().values("annotator").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _gold_is_due(ask: LeaseRequest) -> bool:
    total, gold = ask.seen
    # Gold at positions 1/rate, 2/rate, ... of the caller's stream; the
    # epsilon keeps 0.29 * 100 from flooring to 28.
    owed = math.floor(ask.project.gold_rate * (total + 1) + 1e-9)
    return gold < owed


def _live_lease_count(task_ref, now: datetime) -> Subquery:
    live = (
        Lease.objects.filter(task=task_ref, released_at__isnull=True, expires_at__gt=now)
        .order_by()
        .values("task")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(live, output_field=IntegerField()), Value(0))


def pool_candidates(*, project: Project, annotator: User, now: datetime, gold: bool) -> QuerySet[Task]:
    """Open tasks the annotator has not seen and that have a free slot, in pool order.

    The order matches the ``task_pool`` index, so the database walks it and
    stops at the first row that passes the filters: no scan of the project.
    """
    seen = Annotation.objects.filter(task=OuterRef("pk"), annotator=annotator)
    tasks = Task.objects.filter(project=project, status=Task.Status.OPEN, is_gold=gold).filter(~Exists(seen))
    if not gold:
        tasks = tasks.alias(live=_live_lease_count(OuterRef("pk"), now)).filter(
            submitted_count__lt=Value(project.overlap) - F("live")
        )
    return tasks.order_by("-priority", "-started", "id")


def _claim_from_pool(ask: LeaseRequest, *, gold: bool) -> Lease | None:
    # A locked candidate can turn out full only when another annotator took
    # its last slot between the index scan and the lock (rare); then try the
    # next one. Each round excludes one more task, so this ends.
    if _on_postgres():
        return _claim_from_pool_pg(ask, gold=gold)
    passed: list[int] = []
    while True:
        candidates = pool_candidates(
            project=ask.project, annotator=ask.annotator, now=ask.now, gold=gold
        ).select_related("image")
        if passed:
            candidates = candidates.exclude(pk__in=passed)
        task = candidates.select_for_update(skip_locked=True, of=("self",)).first()
        if task is None and not gold:
            # What is left may only be locked for a moment by someone else's
            # "next" or submit (the tail of a project, where everyone meets on
            # the last tasks): wait for that row rather than answer "nothing
            # left" while a slot may still be free. Not for gold: the regular
            # pool comes next anyway, and an annotator who has seen every gold
            # task would pay this query on every "next".
            task = candidates.select_for_update(of=("self",)).first()
        if task is None:
            return None
        task.project = ask.project
        # Re-read under the lock: the filter above ran on an older snapshot.
        if gold or _free_slots(task, ask.now) > 0:
            return _lease_create(task=task, annotator=ask.annotator, now=ask.now)
        passed.append(task.pk)


def _claim_from_pool_pg(ask: LeaseRequest, *, gold: bool) -> Lease | None:
    """``_claim_from_pool`` in SQL: the same rounds, two statements each."""
    passed: list[int] = []
    ids = dict(project=ask.project, user_id=ask.annotator.pk, now=ask.now, gold=gold)
    while True:
        task = assignment_pg.pool_pick(**ids, passed=passed)
        if task is None and not gold:
            task = assignment_pg.pool_pick(**ids, passed=passed, skip_locked=False)
        if task is None:
            return None
        lease = assignment_pg.claim(task=task, user_id=ask.annotator.pk, now=ask.now, gold=gold)
        if lease is not None:
            return lease
        passed.append(task.pk)


def _free_slots(task: Task, now: datetime) -> int:
    """Slots left on a task; call while holding the task's row lock."""
    live = Lease.objects.filter(task=task, released_at__isnull=True, expires_at__gt=now).count()
    return task.project.overlap - task.submitted_count - live


def _lease_create(*, task: Task, annotator: User, now: datetime, assigned_by: User | None = None) -> Lease:
    """Create a lease and the annotator's draft; call holding the task's row lock."""
    seconds = settings.LABELING_ASSIGNMENT_SECONDS if assigned_by else task.project.lease_seconds
    lease = Lease.objects.create(
        task=task,
        annotator=annotator,
        expires_at=now + timedelta(seconds=seconds),
        heartbeat_at=now,
        assigned_by=assigned_by,
    )
    if assigned_by is None:
        # From the pool: the caller has no annotation of this task (the pool
        # excludes those), so a plain insert; the unique constraint backs it.
        fresh = Annotation.objects.create(task=task, annotator=annotator)
        annotation, created = None, True
        # Readers may skip a query: the caller's annotation is a new draft.
        lease.annotation_state = (fresh.version, fresh.status)
    else:
        annotation, created = Annotation.objects.get_or_create(task=task, annotator=annotator)
    if not created and annotation.status == Annotation.Status.SKIPPED:
        # Only a supervisor's assignment reopens a skipped task for its annotator.
        Annotation.objects.filter(pk=annotation.pk).update(
            status=Annotation.Status.DRAFT, version=F("version") + 1, updated_at=now
        )
    if not task.started:
        Task.objects.filter(pk=task.pk).update(started=True)
        task.started = True
    lease.task = task
    return lease


# --- keeping a lease -------------------------------------------------------


def lease_for_write(*, task: Task, annotator: User, now: datetime, relaxed: bool = False) -> Lease:
    """Return the annotator's live lease on the task, locked, or refuse with 409.

    ``lease_expired`` when the last lease ran out, ``no_lease`` when the
    annotator holds none (never had one, or released it by submit or skip).
    ``relaxed``: the transaction only keeps the lease (see durability.py).
    """
    leases = Lease.objects.select_for_update().filter(task=task, annotator=annotator, released_at__isnull=True)
    lease = (without_flush_wait(leases) if relaxed else leases).first()
    if lease is not None and lease.expires_at > now:
        return lease
    expired = lease is not None or Lease.objects.filter(
        task=task, annotator=annotator, release_reason=Lease.Release.EXPIRED
    ).exists()
    if expired:
        raise Conflict(
            "Your lease on this task expired and the task went back to the pool; ask for the next task.",
            code="lease_expired",
        )
    raise Conflict("You hold no lease on this task.", code="no_lease")


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
        raise DomainError("active_seconds must be a finite number >= 0.", code="invalid_active_seconds")
    with transaction.atomic():
        lease = lease_for_write(task=task, annotator=annotator, now=now, relaxed=True)
        credited = active_time_credit(lease=lease, reported=active_seconds, now=now)
        lease.expires_at = max(lease.expires_at, now + timedelta(seconds=task.project.lease_seconds))
        lease.save(update_fields=["expires_at", "heartbeat_at"])
        lease.active_seconds_total = _credit_active_seconds(task, annotator, credited)
    return lease


def _credit_active_seconds(task: Task, annotator: User, credited: float) -> float:
    """Add the credit and return the new total in one round trip (UPDATE ... RETURNING)."""
    if not credited:
        total = Annotation.objects.filter(task=task, annotator=annotator).values_list("active_seconds", flat=True)
        return next(iter(total), 0.0)
    table = Annotation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET active_seconds = active_seconds + %s "
            "WHERE task_id = %s AND annotator_id = %s RETURNING active_seconds",
            [credited, task.pk, annotator.pk],
        )
        row = cursor.fetchone()
    return row[0] if row else 0.0


def lease_release(*, lease: Lease, reason: str, now: datetime) -> None:
    Lease.objects.filter(pk=lease.pk, released_at__isnull=True).update(released_at=now, release_reason=reason)
    lease.released_at, lease.release_reason = now, reason


def lease_sweep_expired(*, now: datetime | None = None) -> int:
    """Mark leases past their expiry as released (reason ``expired``).

    Tidying only: the pool already ignores expired leases. Uses the partial
    index on unreleased leases, so it costs the number of stale rows.
    """
    now = now or timezone.now()
    return Lease.objects.filter(released_at__isnull=True, expires_at__lte=now).update(
        released_at=now, release_reason=Lease.Release.EXPIRED
    )


# --- supervisors -----------------------------------------------------------


def task_assign(*, task: Task, annotator: User, assigned_by: User, now: datetime | None = None) -> Lease:
    """Assign a task to an annotator of its project; it comes before their pool.

    The assignment is a lease that lasts ``LABELING_ASSIGNMENT_SECONDS``. It
    still respects overlap and "never twice": an annotator who already
    submitted the task cannot be given it again, and a task whose slots are
    all taken by others is refused. The exception is rework: a *rejected*
    annotation is sent back to its own annotator whatever the task's status,
    in the slot it already holds (the reject gives that slot back by
    decrementing ``submitted_count``; the resubmit counts it again).
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the task row only: the project and image rows are read, not changed.
        task = Task.objects.select_for_update(of=("self",)).select_related("project", "image").get(pk=task.pk)
        if not role_allows(project_role(annotator, task.project_id), "tasks.annotate"):
            raise DomainError(f"{annotator.username} is not an annotator of this project.", code="not_an_annotator")
        annotation = Annotation.objects.filter(task=task, annotator=annotator).first()
        rework = annotation is not None and annotation.status == Annotation.Status.REJECTED
        if annotation is not None and annotation.status in (Annotation.Status.SUBMITTED, Annotation.Status.ACCEPTED):
            raise Conflict(f"{annotator.username} already submitted this task.", code="already_annotated")
        if task.status != Task.Status.OPEN and not rework:
            raise Conflict("This task no longer needs annotations.", code="task_closed")
        mine = Lease.objects.select_for_update().filter(task=task, annotator=annotator, released_at__isnull=True).first()
        if mine is not None and mine.expires_at > now:
            mine.assigned_by = assigned_by
            mine.expires_at = max(mine.expires_at, now + timedelta(seconds=settings.LABELING_ASSIGNMENT_SECONDS))
            mine.save(update_fields=["assigned_by", "expires_at"])
            mine.task = task
            return mine
        if mine is not None:
            lease_release(lease=mine, reason=Lease.Release.EXPIRED, now=now)
        if not task.is_gold and not rework and _free_slots(task, now) <= 0:
            raise Conflict("Every slot of this task is taken.", code="task_full")
        return _lease_create(task=task, annotator=annotator, now=now, assigned_by=assigned_by)
