"""What other apps ask of the energy app. They never import energy.models.

The signatures of task_energy_tags, energy_record_usage and
schedule_deferrable are the seam other apps call; parameters are only added,
with defaults.
"""

from datetime import datetime
from typing import Any, TypedDict

from energy import dataset, deferral, ledger, report, tags, units, web
from energy.units import energy_text, grams_text


class EnergyTag(TypedDict):
    kwh: float | None
    clean_share: float | None
    co2e_g: float | None
    basis: str


# How other apps show figures: a unit that suits the size, a range where the estimate is coarse.
energy_display = units.energy_text
energy_range_display = units.energy_range_text
grams_display = units.grams_text

UNKNOWN: EnergyTag = {"kwh": None, "clean_share": None, "co2e_g": None, "basis": "unknown"}


def task_energy_tags(task_ids: list[int]) -> dict[int, EnergyTag]:
    """Return the energy tag of each task, recomputed from the ledger (a few queries).

    Tasks with no ledger entries yet show ``basis: "unknown"`` with nulls; a
    task whose time has no supply data has ``clean_share``/``co2e_g`` None: a
    share is never invented. ``basis`` is measured, estimated or mixed.
    """
    summaries = tags.task_summaries(task_ids)
    return {int(t): tags.tag_of(summaries.get(int(t))) for t in task_ids}


def task_energy_details(task_ids: list[int]) -> dict[int, dict]:
    """The tag plus clean_kwh, coverage, supply sources and components (energy.md §4.9)."""
    summaries = tags.task_summaries(task_ids)
    return {int(t): tags.detail_of(summaries.get(int(t))) for t in task_ids}


# Record one consumption interval in the energy ledger (see ``ledger_record``).
energy_record_usage = ledger.ledger_record

# Record many intervals in one INSERT, each item the keywords of ``energy_record_usage``
# (for a job that shares its work among many tasks; see ``ledger_record_many``).
energy_record_usages = ledger.ledger_record_many


# Record one credited stretch of active labeling time (see ``active_span_record``).
energy_record_active_span = ledger.active_span_record


def schedule_deferrable(
    *,
    kind: str,
    task_name: str,
    kwargs: dict[str, Any],
    expected_seconds: float,
    deadline: datetime | None = None,
    project_id: int | None = None,
    site: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Run a deferrable Celery job now or hold it for a cleaner window.

    With a deadline, the site's forecast decides (energy.md §4.8): run now
    when the current window is clean enough, deferring gains little, or there
    is no forecast; otherwise the job waits in the DeferredJob table until beat
    releases it. Without a deadline it runs now. Running now happens after the
    current transaction commits. Returns the decision, which is also recorded.
    """
    return deferral.schedule(
        kind=kind, task_name=task_name, kwargs=kwargs, expected_seconds=expected_seconds,
        deadline=deadline, project_id=project_id, site=site, now=now,
    )


def energy_release_due_soon() -> int:
    """Release due deferred jobs, at most once a minute per process (for setups with no beat process)."""
    return deferral.release_due_soon()


def energy_web_meter() -> web.WebMeter:
    """A buffer for web requests' CPU time (see ``energy_web_record``)."""
    return web.WebMeter()


# Write buffered web CPU time: rows of (project id, task id, site slug, pending).
energy_web_record = web.web_usage_record


def dataset_energy(project_id: int) -> dataset.DatasetEnergy:
    """Per-image tags and the dataset's green block (with its method), for any export format."""
    return dataset.DatasetEnergy(project_id)


def project_green_summary(project_id: int, task_ids: list[int] | None = None) -> dict:
    """The green block (totals and method, energy.md §4.10) of these tasks, or of the whole project."""
    return report.project_green_summary(project_id, task_ids)


def project_energy_report(*, project_id: int, site: str, people: bool = True) -> dict:
    """The green report of a project; ``people=False`` omits per-annotator figures."""
    return report.project_energy_report(project_id=project_id, site_slug=site, people=people)


def site_clean_forecast(*, site: str, start: datetime, hours: int = 24) -> list[dict]:
    """The site's clean share per interval over the next ``hours`` (stored data, else its profile)."""
    from datetime import timedelta

    from energy.supply import forecast_for, site_get

    the_site = site_get(site)
    points = forecast_for(site=the_site, start=start, end=start + timedelta(hours=hours)).points
    return [{"start": p.start, "end": p.end, "share": p.share} for p in points]


def energy_badge(tag: dict) -> str:
    """The one-line badge of a tag: ``30.0 Wh · 92.0 % clean · 2.40 g CO₂e · estimated``."""
    if tag.get("kwh") is None:
        return "energy not recorded yet"
    share = "clean share unknown" if tag.get("clean_share") is None else f"{tag['clean_share'] * 100:.1f} % clean"
    co2 = "gCO₂e unknown" if tag.get("co2e_g") is None else f"{grams_text(tag['co2e_g'])} CO₂e"
    return f"{energy_text(tag['kwh'])} · {share} · {co2} · {tag['basis']}"
