"""The green figures of a dataset export, gathered batch by batch while the images stream."""

from __future__ import annotations

from energy.method import method_block
from energy.tags import tag_of, task_summaries
from energy.totals import GreenTotals

SCOPE = (
    "the tasks of the exported images (annotators' work, quality checks, thumbnails and requests tied to those "
    "tasks); project-wide work such as exports is in the project's green report"
)


class DatasetEnergy:
    """Per-image tags and the dataset's totals from the same ledger rows, so they always agree."""

    def __init__(self, project_id: int) -> None:
        self.project_id = project_id
        self.totals = GreenTotals()
        self.site_ids: set[int] = set()

    def tags_for(self, task_ids: list[int]) -> dict[int, dict]:
        """The energy tag of each task with ledger entries (as on the task itself), counted into the totals.

        Tasks with no entries are counted as ``unknown`` and left out of the answer: their tag is
        ``UNKNOWN`` (an export asks for every image, most of which may have none).
        """
        summaries = task_summaries(task_ids)
        self.site_ids |= {sid for s in summaries.values() for sid in s.site_ids}
        out = {}
        # In task order, as the sums were always made: the same floats to the last bit.
        for task_id in map(int, task_ids):
            summary = summaries.get(task_id)
            if summary is not None:
                self.totals.add(summary)
                out[task_id] = tag_of(summary)
        self.totals.basis_counts["unknown"] += len(task_ids) - len(out)
        return out

    def block(self) -> dict:
        """The ``green_computing`` block: totals (null share when any kWh lacks supply data) and the method."""
        block = method_block(project_id=self.project_id, totals=self.totals, site_ids=self.site_ids, scope=SCOPE)
        totals = block["totals"]
        # The first keys datasets ever carried, kept for readers of earlier versions (same null rules).
        return {"kwh": totals["energy_kwh"], "clean_share": totals["clean_share"], "co2e_g": totals["co2e_g"],
                "tasks_by_basis": self.totals.basis_counts, **block}
