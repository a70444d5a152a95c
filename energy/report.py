"""Project-level sums: the green report and the COCO ``info["green_computing"]`` block."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth import get_user_model

from energy.deferral_report import deferrals
from energy.method import method_block
from energy.models import LedgerEntry, Site
from energy.series import series
from energy.tags import Attributed, attribute_entries, summarise
from energy.totals import GreenTotals


def _totals(items: list[Attributed]) -> dict:
    totals = GreenTotals()
    totals.add(summarise(items), count=False)
    return totals.as_dict()


def _block(project_id: int, items: list[Attributed], task_ids: list[int] | None, site_ids: set[int],
           scope: str) -> dict:
    per_task: dict[int | None, list[Attributed]] = defaultdict(list)
    for a in items:
        per_task[a.entry.task_id].append(a)
    totals = GreenTotals()
    for task_id in (task_ids if task_ids is not None else [t for t in per_task if t is not None]):
        totals.add(summarise(per_task[int(task_id)]) if per_task.get(int(task_id)) else None)
    if task_ids is None:
        # Work tied to the project but to no task (exports, project pages) belongs to the project's totals.
        totals.add(summarise(per_task[None]) if per_task.get(None) else None, count=False)
    return method_block(project_id=project_id, totals=totals, site_ids=site_ids, scope=scope)


def project_green_summary(project_id: int, task_ids: list[int] | None = None) -> dict:
    """The green block of these tasks (default: all the project's energy) with its method."""
    entries = LedgerEntry.objects.filter(project_id=project_id)
    if task_ids is not None:
        entries = entries.filter(task_id__in=[int(t) for t in task_ids])
    items = attribute_entries(entries)
    scope = "the given tasks" if task_ids is not None else "all energy recorded for the project"
    return _block(project_id, items, task_ids, {a.entry.site_id for a in items}, scope)


def _grouped(items: list[Attributed], key) -> dict:
    groups: dict = defaultdict(list)
    for a in items:
        groups[key(a.entry)].append(a)
    return {k: _totals(v) for k, v in groups.items()}


def project_energy_report(*, project_id: int, site_slug: str, people: bool) -> dict:
    """The green report. ``people=False`` (clients) leaves out per-annotator figures."""
    from energy.ledger import site_for_project

    # A project naming a site that does not exist yet gets one with no supply data.
    site = Site.objects.filter(slug=site_slug).first() or site_for_project(project_id)
    items = attribute_entries(LedgerEntry.objects.filter(project_id=project_id))
    method = _block(project_id, items, None, {site.pk} | {a.entry.site_id for a in items},
                    "all energy recorded for the project")
    report = {
        "project_id": project_id,
        "site": {"slug": site.slug, "name": site.name, "timezone": site.timezone, "default_pue": site.default_pue,
                 "static_profile": site.static_profile or None},
        "totals": method["totals"],
        "tasks_with_energy": len({a.entry.task_id for a in items if a.entry.task_id is not None}),
        "series": series(items, site.timezone),
        "by_kind": _grouped(items, lambda e: e.job_kind or e.consumer),
        "supply_sources": sorted(summarise(items).sources),
        "deferrals": deferrals(project_id),
        "contract_based": method["contract_based"],
        "method": method,
    }
    if people:
        per_user = _grouped([a for a in items if a.entry.consumer == "workstation"], lambda e: e.user_id)
        names = dict(get_user_model().objects.filter(pk__in=[u for u in per_user if u]).values_list("pk", "username"))
        report["by_annotator"] = [
            {"user_id": uid, "username": names.get(uid, "unknown"), **vals} for uid, vals in sorted(per_user.items(), key=lambda kv: str(kv[0]))
        ]
    return report
