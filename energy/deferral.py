"""Holding deferrable Celery jobs for a cleaner window, and releasing them.

Every decision is stored (DeferredJob + SchedulingDecision) so the green
report can show what waited, why, and what it gained.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import DomainError
from energy.ledger import site_by_slug, site_for_project
from energy.models import DeferredJob, SchedulingDecision, Site
from energy.scheduling import Plan, plan_start
from energy.supply import forecast_for

log = logging.getLogger("energy.scheduling")

NO_SUPPLY = "no-forecast"
RELEASED = "released"
# When this process last looked for due jobs on its own (no beat process, see release_due_soon).
_last_look = {"at": None}


def _params() -> dict:
    return {
        "tick_s": getattr(settings, "ENERGY_SCHEDULER_TICK_S", 900),
        "run_now_threshold": getattr(settings, "ENERGY_RUN_NOW_THRESHOLD", 0.95),
        "min_gain": getattr(settings, "ENERGY_MIN_GAIN", 0.05),
        "max_deferral_s": getattr(settings, "ENERGY_MAX_DEFERRAL_S", 24 * 3600),
    }


def _task(task_name: str):
    try:
        return current_app.tasks[task_name]
    except KeyError:
        raise DomainError(_("Unknown Celery task %(task_name)s.") % {"task_name": repr(task_name)}, code="unknown_task") from None


def plan_for(*, site: Site, now: datetime, expected_seconds: float, deadline: datetime | None) -> Plan:
    params = _params()
    if deadline is None:
        return Plan(now, "no-deadline", None, None)
    # A job never waits longer than the configured maximum, whatever its deadline.
    horizon = min(deadline, now + timedelta(seconds=params["max_deferral_s"] + expected_seconds))
    forecast = forecast_for(site=site, start=now, end=max(horizon, now + timedelta(seconds=expected_seconds)))
    if not forecast.points:
        # The site has no supply data at all for this time: nothing to plan on.
        return Plan(now, NO_SUPPLY, None, None)
    return plan_start(
        now=now, duration=timedelta(seconds=expected_seconds), deadline=horizon, forecast=forecast,
        tick=timedelta(seconds=params["tick_s"]), run_now_threshold=params["run_now_threshold"],
        min_gain=params["min_gain"],
    )


def schedule(
    *,
    kind: str,
    task_name: str,
    kwargs: dict,
    expected_seconds: float,
    deadline: datetime | None = None,
    project_id: int | None = None,
    site: str | None = None,
    now: datetime | None = None,
) -> dict:
    _task(task_name)  # an unknown task name is refused before anything is stored
    if expected_seconds is None or expected_seconds < 0:
        raise DomainError(_("expected_seconds must be zero or more"), code="invalid_duration")
    now = now or timezone.now()
    the_site = site_by_slug(site) if site else site_for_project(project_id)
    plan = plan_for(site=the_site, now=now, expected_seconds=max(float(expected_seconds), 1.0), deadline=deadline)
    decision = "deferred" if plan.deferred else "run_now"
    job = DeferredJob.objects.create(
        kind=kind[:64], task_name=task_name, kwargs=kwargs, project_id=project_id, site=the_site,
        expected_seconds=expected_seconds, deadline=deadline, decision=decision, reason=plan.reason,
        planned_start=plan.start, share_now=plan.current_share, share_planned=plan.expected_share,
        state=DeferredJob.State.WAITING if plan.deferred else DeferredJob.State.RELEASED,
        released_at=None if plan.deferred else now,
    )
    _decide(job, now, plan)
    if not plan.deferred:
        _released(job, now)
        # Through _send: a broker outage puts the job back to waiting (the next
        # release sends it) instead of failing the caller after its commit.
        transaction.on_commit(lambda: _send(job, now))
    log.info("deferrable %s %s: %s (%s), start %s", kind, task_name, decision, plan.reason, plan.start.isoformat())
    return {
        "decision": decision,
        "reason": plan.reason,
        "job_id": job.pk,
        "planned_start": plan.start.isoformat(),
        "current_clean_share": plan.current_share,
        "expected_clean_share": plan.expected_share,
    }


def release_due(*, now: datetime | None = None) -> int:
    """Queue every waiting job whose planned start has come; return how many.

    Each due job is re-planned first: if fresher supply data moved the best
    window later and the deadline still allows it, the job keeps waiting
    (the new decision is recorded).
    """
    now = now or timezone.now()
    released = 0
    with transaction.atomic():
        due = DeferredJob.objects.filter(state=DeferredJob.State.WAITING, planned_start__lte=now).order_by("planned_start")
        if connection.features.has_select_for_update_skip_locked:
            # Two beat runs (or two workers) never release the same job twice. Only
            # the job rows are locked: with the joined site row locked too, a second
            # run would skip (and keep locked) every job of that site.
            due = due.select_for_update(skip_locked=True, of=("self",))
        for job in due.select_related("site")[:500]:
            plan = plan_for(site=job.site, now=now, expected_seconds=max(job.expected_seconds, 1.0), deadline=job.deadline)
            if plan.deferred and plan.start > now:
                DeferredJob.objects.filter(pk=job.pk).update(planned_start=plan.start, share_planned=plan.expected_share)
                _decide(job, now, plan, replan=True)
                continue
            DeferredJob.objects.filter(pk=job.pk).update(state=DeferredJob.State.RELEASED, released_at=now)
            _released(job, now)
            transaction.on_commit(lambda job=job: _send(job, now))
            released += 1
    return released


def _decide(job: DeferredJob, now: datetime, plan: Plan, replan: bool = False) -> None:
    SchedulingDecision.objects.create(
        job=job, decided_at=now, decision="deferred" if plan.deferred else "run_now", reason=plan.reason,
        planned_start=plan.start, share_now=plan.current_share, share_planned=plan.expected_share,
        params={**_params(), "deadline": job.deadline.isoformat() if job.deadline else None, "replan": replan},
    )


def _released(job: DeferredJob, now: datetime) -> None:
    """Record the release with the share of the window it starts in (the report recomputes it as data arrives)."""
    end = now + timedelta(seconds=max(job.expected_seconds, 1.0))
    share = forecast_for(site=job.site, start=now, end=end).time_weighted_mean(now, end)
    SchedulingDecision.objects.create(
        job=job, decided_at=now, decision=RELEASED, reason=job.reason, planned_start=job.planned_start,
        share_now=share, share_planned=job.share_planned,
        params={"deadline": job.deadline.isoformat() if job.deadline else None},
    )


def release_due_soon(*, now: datetime | None = None) -> int:
    """Release due jobs at most once per ENERGY_RELEASE_CHECK_S in this process.

    With no broker (the eager default) there is no beat process: the web
    process calls this after its requests, so a deferred job runs on the
    first request after its planned start (checked at most once a minute).
    """
    now = now or timezone.now()
    last = _last_look["at"]
    if last is not None and now - last < timedelta(seconds=getattr(settings, "ENERGY_RELEASE_CHECK_S", 60)):
        return 0
    _last_look["at"] = now
    if not DeferredJob.objects.filter(state=DeferredJob.State.WAITING, planned_start__lte=now).exists():
        return 0
    return release_due(now=now)


def _send(job: DeferredJob, now: datetime) -> None:
    try:
        options = {"expires": job.deadline} if job.deadline and job.deadline > now else {}
        _task(job.task_name).apply_async(kwargs=job.kwargs, **options)
    except Exception:  # the broker is down or the task vanished: keep the job for the next run
        log.exception("could not queue deferred job %s (%s); it stays waiting", job.pk, job.task_name)
        DeferredJob.objects.filter(pk=job.pk).update(state=DeferredJob.State.WAITING, released_at=None)
