"""Writing the energy ledger: one row per consumption interval."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from config.errors import DomainError
from energy.models import LedgerEntry, Site
from energy.ledger_rows import ledger_rows_insert
from energy.models.sites import DEFAULT_SITE
from energy.server import cpu_kwh
from energy.site_rows import site_with_slug
from energy.workstation import workstation_kwh

log = logging.getLogger("energy.ledger")

# Default of ``device_watts``: read the user's watts from the database.
LOOK_UP = object()


def _no_project_sites(project_id: int) -> str | None:
    return None


# How to find the site of a project: the app that owns projects installs it
# (labeling/apps.py), so energy reads no other app's tables and imports nothing of it.
_project_site: Callable[[int], str | None] = _no_project_sites


def set_project_site_lookup(lookup: Callable[[int], str | None]) -> None:
    """Install ``lookup(project_id) -> site slug or None`` (called once, at start-up)."""
    global _project_site
    _project_site = lookup


def site_for_project(project_id: int | None) -> Site:
    """The project's site; an unknown slug gets a site with no supply data (shares stay unknown)."""
    slug = (_project_site(project_id) if project_id is not None else None) or DEFAULT_SITE
    return site_by_slug(slug)


def site_by_slug(slug: str | None) -> Site:
    """The named site; an unknown slug gets a site with no supply data (shares stay unknown)."""
    slug = slug or DEFAULT_SITE
    found = site_with_slug(slug)
    if found is not None:
        return found
    if slug == DEFAULT_SITE:
        from energy.supply import site_get

        return site_get(slug)
    site, created = Site.objects.get_or_create(slug=slug, defaults={"name": slug, "static_profile": ""})
    if created:
        log.warning("energy site %r did not exist; created without supply data (clean share unknown)", slug)
    return site


def ledger_record(**usage) -> LedgerEntry:
    """Record one consumption interval in the energy ledger (the keywords of ``ledger_entry``)."""
    entry = ledger_entry(**usage)
    entry.save(force_insert=True)
    return entry


def ledger_record_many(usages: Iterable[Mapping]) -> int:
    """Record many intervals in one INSERT; each item holds the keywords of ``ledger_entry``; return how many.

    For jobs that share their work among many tasks (a quality drain scores a
    hundred per batch): the same rules as ``ledger_record``, one statement in
    all, and each project's site read once.
    """
    sites: dict = {}
    entries = []
    for usage in usages:
        usage = dict(usage)
        site = usage.get("site")
        if not isinstance(site, Site):
            key = ("project", usage["project_id"]) if site is None else ("slug", site)
            if key not in sites:
                sites[key] = ledger_entry_site(usage["project_id"], site)
            usage["site"] = sites[key]
        entries.append(ledger_entry(**usage))
    return ledger_rows_insert(entries)


def ledger_entry_site(project_id: int, site: str | Site | None) -> Site:
    """The site an entry is placed at: the one given, else the project's."""
    if isinstance(site, Site):
        return site
    if site is None:
        return site_for_project(project_id)
    from energy.supply import site_get

    return site_get(site)  # a site named explicitly must exist


def ledger_entry(
    *,
    consumer: str,
    project_id: int,
    started_at: datetime,
    ended_at: datetime,
    task_id: int | None = None,
    user_id: int | None = None,
    job_kind: str = "",
    job_id: str = "",
    active_seconds: float | None = None,
    cpu_seconds: float | None = None,
    site: str | Site | None = None,
    basis: str = "estimated",
    it_kwh: float | None = None,
    device_watts: float | None | object = LOOK_UP,
    details: dict | None = None,
) -> LedgerEntry:
    """One consumption interval, checked and converted to energy, not yet saved.

    ``consumer`` is ``"workstation"`` (an annotator's active labeling time,
    ``active_seconds`` × the user's device watts or the site default; no PUE)
    or ``"server"`` (a job's ``cpu_seconds`` × watts per core, × the site PUE).
    ``site`` defaults to the project's ``energy_site``. A metered figure may be
    given as ``it_kwh`` with ``basis="measured"``. A caller that holds the
    user row passes its ``device_watts`` (None: the site default) to save a query.
    """
    if consumer not in LedgerEntry.Consumer.values:
        raise DomainError(_("consumer must be workstation or server, not %(consumer)s") % {"consumer": repr(consumer)}, code="invalid_consumer")
    if ended_at < started_at:
        raise DomainError(_("ended_at is before started_at"), code="invalid_interval")
    if basis not in LedgerEntry.Basis.values:
        raise DomainError(_("basis must be measured or estimated, not %(basis)s") % {"basis": repr(basis)}, code="invalid_basis")
    the_site = ledger_entry_site(project_id, site)
    extra = details or {}
    if consumer == LedgerEntry.Consumer.WORKSTATION:
        if active_seconds is None and it_kwh is None:
            raise DomainError(_("a workstation entry needs active_seconds"), code="invalid_usage")
        watts = None if device_watts is LOOK_UP else device_watts
        if user_id is not None and device_watts is LOOK_UP:
            watts = get_user_model().objects.filter(pk=user_id).values_list("device_watts", flat=True).first()
        watts = the_site.default_workstation_watts if watts is None else watts
        if it_kwh is None:
            if active_seconds < 0:
                raise DomainError(_("active_seconds is negative"), code="invalid_usage")
            it_kwh = workstation_kwh(active_seconds=active_seconds, watts=watts)
        details = {"active_seconds": active_seconds, "watts": watts, **extra}
        pue, method = 1.0, "active_time_x_watts"
    else:
        if cpu_seconds is None and it_kwh is None:
            raise DomainError(_("a server entry needs cpu_seconds"), code="invalid_usage")
        if it_kwh is None:
            if cpu_seconds < 0:
                raise DomainError(_("cpu_seconds is negative"), code="invalid_usage")
            it_kwh = cpu_kwh(cpu_seconds=cpu_seconds, watts_per_core=the_site.watts_per_core)
        details = {"cpu_seconds": cpu_seconds, "watts_per_core": the_site.watts_per_core, **extra}
        pue, method = the_site.default_pue, "cpu_time_x_w_per_core"
    if basis == "measured":
        method = "meter"
    return LedgerEntry(
        consumer=consumer, site=the_site, project_id=project_id, task_id=task_id, user_id=user_id,
        job_kind=job_kind[:64], job_id=str(job_id)[:128], start=started_at, end=ended_at,
        it_kwh=it_kwh, pue_applied=pue, kwh=it_kwh * pue, basis=basis, method=method, details=details,
    )


def active_span_record(
    *,
    project_id: int,
    site: str | None,
    task_id: int,
    user_id: int,
    ended_at: datetime,
    seconds: float,
    device_watts: float | None,
) -> LedgerEntry | None:
    """Record one credited stretch of an annotator's active time where it happened.

    Called at every credit point (heartbeat, save, submit) with the seconds
    credited there; the stretch is placed at ``[ended_at - seconds, ended_at)``,
    so its energy lands in the supply intervals (hours) of the work itself.
    The credit never exceeds the wall time since the previous credit point,
    so stretches never overlap and nothing is counted twice. No credit, no row.
    """
    if not seconds or seconds <= 0:
        return None
    return ledger_record(
        # The project's site: one it names but that does not exist yet gets no supply data (share unknown).
        consumer=LedgerEntry.Consumer.WORKSTATION, project_id=project_id, site=site_by_slug(site), task_id=task_id,
        user_id=user_id, started_at=ended_at - timedelta(seconds=seconds), ended_at=ended_at,
        active_seconds=seconds, device_watts=device_watts,
    )
