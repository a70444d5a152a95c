"""Who works on what: leasing tasks to annotators, keeping and releasing leases, assigning.

Modules:

* ``chain``: ``task_lease_next``, a short chain of named strategies (resume
  your own lease, take a supervisor's assignment, gold when due, the pool).
* ``caller``: the statements about the caller (the per-person lock with the
  gold counts, their live leases).
* ``pool``: the pool pick and the claim (lease, draft, "started" in one
  statement), and the loop that retries when a slot went meanwhile.
* ``leases``: keeping a lease (the write check, heartbeat, active time,
  release, the expiry sweep).
* ``assign``: a supervisor's assignment.
* ``drafts``: giving an annotator their draft back after a lease lapsed.

Concurrency comes from PostgreSQL. The candidate task row is taken with
``SELECT ... FOR UPDATE SKIP LOCKED`` inside ``transaction.atomic``, so two
annotators pressing "next" at once are handed different tasks without
waiting for each other, and every lease of a task is created while holding
that task's row lock. The free-slot count is re-read after the lock is held
(in READ COMMITTED a new statement sees everything committed by earlier lock
holders).

Slots: a task needs ``project.overlap`` distinct annotators. A slot is taken
by a submitted annotation (``task.submitted_count``) or by a *live* lease
(``released_at IS NULL AND expires_at > now``). Expired leases stop counting
the moment they expire, so no background job has to run before a task goes
back to the pool; ``lease_sweep_expired`` only tidies rows up.

Never twice to one person: taking a lease creates the annotator's
``Annotation`` row (a draft), unique per (task, annotator); the pool excludes
tasks where the caller has one, whatever its status (a skip counts as seen).
"""

from labeling.assignment.assign import task_assign
from labeling.assignment.chain import task_lease_next
from labeling.assignment.drafts import task_take_back
from labeling.assignment.leases import (
    active_time_credit,
    lease_for_write,
    lease_release,
    lease_renew,
    lease_sweep_expired,
)

__all__ = [
    "active_time_credit",
    "lease_for_write",
    "lease_release",
    "lease_renew",
    "lease_sweep_expired",
    "task_assign",
    "task_lease_next",
    "task_take_back",
]
