"""``task_lease_next``: a short chain of named strategies, the first lease wins.

Order: your live lease, a supervisor's assignment, your own draft whose lease
lapsed (when its slot is free), gold when due, the pool.

Each strategy returns a lease or None. The statements they run live in
``caller`` (what the caller holds) and ``pool`` (picking and claiming a task).
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from labeling.assignment import caller
from labeling.assignment.drafts import resume_draft
from labeling.assignment.pool import claim_from_pool
from labeling.durability import commit_without_flush_wait
from labeling.models import Lease, Project


@dataclass
class LeaseRequest:
    project: Project
    annotator: User
    now: datetime
    _live: list[Lease] | None = None
    # (annotations seen in the project, of which gold), read with the user lock.
    seen: tuple[int, int] = (0, 0)
    # The caller's drafts on open tasks (read with the user lock).
    drafts: int = 0

    def live_leases(self) -> list[Lease]:
        """The caller's live leases in the project, oldest first (one query, shared)."""
        if self._live is None:
            self._live = caller.live_leases(user_id=self.annotator.pk, project=self.project, now=self.now)
        return self._live


Strategy = Callable[[LeaseRequest], Lease | None]


def _resume_own_lease(ask: LeaseRequest) -> Lease | None:
    """The caller's live self-taken lease in this project: finish it first."""
    return next((lease for lease in ask.live_leases() if lease.assigned_by_id is None), None)


def _take_assignment(ask: LeaseRequest) -> Lease | None:
    """A task a supervisor assigned to the caller, oldest assignment first."""
    return next((lease for lease in ask.live_leases() if lease.assigned_by_id is not None), None)


def _resume_own_draft(ask: LeaseRequest) -> Lease | None:
    """The caller's unfinished draft whose lease lapsed, when its slot is still free."""
    if not ask.drafts:
        return None
    return resume_draft(project=ask.project, user_id=ask.annotator.pk, now=ask.now)


def _take_gold_if_due(ask: LeaseRequest) -> Lease | None:
    """A gold task when the caller's share of gold is below the project's rate.

    Gold tasks are a yardstick shown to every annotator once (no overlap cap)
    and are never marked as gold in anything the annotator sees.
    """
    if ask.project.gold_rate <= 0 or not gold_is_due(ask.project.gold_rate, ask.seen):
        return None
    return claim_from_pool(project=ask.project, user_id=ask.annotator.pk, now=ask.now, gold=True)


def _take_from_pool(ask: LeaseRequest) -> Lease | None:
    """Priority first, then tasks others already started, then the oldest."""
    return claim_from_pool(project=ask.project, user_id=ask.annotator.pk, now=ask.now, gold=False)


STRATEGIES: tuple[Strategy, ...] = (
    _resume_own_lease,
    _take_assignment,
    _resume_own_draft,
    _take_gold_if_due,
    _take_from_pool,
)


def task_lease_next(*, project: Project, annotator: User, now: datetime | None = None) -> Lease | None:
    """Return the caller's lease on their next task, or None when nothing is left."""
    if project.archived_at is not None:
        # An archived project hands out no more work; its data stays readable.
        return None
    ask = LeaseRequest(project=project, annotator=annotator, now=now or timezone.now())
    with transaction.atomic():
        # A lease is bookkeeping (labeling/durability.py).
        commit_without_flush_wait()
        # One "next" at a time per person: two tabs pressing next together
        # must not end with two self-taken leases.
        who = caller.lock_annotator(user_id=annotator.pk, project_id=project.pk, now=ask.now)
        ask.seen, ask.drafts = who.seen, who.drafts
        for strategy in STRATEGIES:
            lease = strategy(ask)
            if lease is not None:
                # The tool's header figures, read with the lock: no query of their own.
                lease.progress = who.progress
                return lease
    return None


def gold_is_due(rate: float, seen: tuple[int, int]) -> bool:
    """Whether the caller's next task should be gold, given (seen, of which gold)."""
    total, gold = seen
    # Gold at positions 1/rate, 2/rate, ... of the caller's stream; the
    # epsilon keeps 0.29 * 100 from flooring to 28.
    owed = math.floor(rate * (total + 1) + 1e-9)
    return gold < owed
