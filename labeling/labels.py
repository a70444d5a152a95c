"""A project's label classes edited as one list: add, rename, recolour, reorder, remove.

Boxes point at their label by id, so a rename keeps every box. Gold answers
and model predictions name labels in JSON; a rename rewrites those names in
the same transaction. Removing a label that has boxes removes the boxes too
(the database refuses otherwise), so it happens only when the caller says it
knows how many (``remove_boxes``); without that, it is refused with the count.
"""

import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from accounts.audit import Action, audit_record
from accounts.models import User
from config.errors import DomainError
from labeling.models import Box, LabelClass, Prediction, Project, Task
from labeling.projects import PALETTE


@dataclass
class LabelRow:
    """One line of the label editor; ``id`` None is a new label."""

    name: str
    id: int | None = None
    color: str = ""
    hotkey: int | None = None
    order: int = 0
    remove: bool = False
    remove_boxes: bool = False


def label_rows_problems(rows: list[LabelRow]) -> list[tuple[int, str, str]]:
    """``(row index, field, message)`` for names or hotkeys used twice among the kept rows."""
    problems = []
    names: dict[str, int] = {}
    hotkeys: dict[int, int] = {}
    for index, row in enumerate(rows):
        if row.remove:
            continue
        key = row.name.strip().casefold()
        if key in names:
            problems.append((index, "name", _("“%(name)s” is already a label of this project.") % {"name": row.name}))
        names.setdefault(key, index)
        if row.hotkey is not None:
            if row.hotkey in hotkeys:
                problems.append((index, "hotkey", _("Key %(key)s already picks another label.") % {"key": row.hotkey}))
            hotkeys.setdefault(row.hotkey, index)
    return problems


def box_counts(project: Project) -> dict[int, int]:
    """Label id -> boxes drawn with it (the consequence of removing it)."""
    return dict(
        Box.objects.filter(label__project=project).values("label_id").annotate(n=Count("id")).values_list("label_id", "n")
    )


_RENAME_JSON = """
UPDATE {table} SET {column} = (
    SELECT jsonb_agg(CASE WHEN b->>'label' = %(old)s THEN jsonb_set(b, '{{label}}', to_jsonb(%(new)s::text))
                          ELSE b END ORDER BY n)
    FROM jsonb_array_elements({column}) WITH ORDINALITY AS e(b, n))
WHERE {where} AND {column} @> %(probe)s::jsonb
"""


def _rename_in_json(project: Project, old: str, new: str) -> None:
    """Gold answers and predictions name labels: follow the rename there too."""
    params = {"old": old, "new": new, "probe": json.dumps([{"label": old}]), "project": project.pk}
    with connection.cursor() as cursor:
        cursor.execute(_RENAME_JSON.format(table=Task._meta.db_table, column="gold_boxes",
                                           where="project_id = %(project)s"), params)
        cursor.execute(_RENAME_JSON.format(
            table=Prediction._meta.db_table, column="boxes",
            where=f"task_id IN (SELECT id FROM {Task._meta.db_table} WHERE project_id = %(project)s)"), params)


@transaction.atomic
def labels_apply(*, project: Project, rows: list[LabelRow], actor: User | None = None) -> list[LabelClass]:
    """Make the project's labels what ``rows`` say, all or nothing."""
    problems = label_rows_problems(rows)
    if problems:
        raise DomainError(problems[0][2], code="label_exists", row=problems[0][0], field=problems[0][1])
    current = {label.pk: label for label in LabelClass.objects.select_for_update().filter(project=project)}
    for row in rows:
        if row.id is not None and row.id not in current:
            # A forged or stale id: nothing of this project.
            raise DomainError(_("That label is not part of this project."), code="unknown_label")
    counts = box_counts(project)
    for row in rows:
        if row.remove and row.id is not None and counts.get(row.id) and not row.remove_boxes:
            raise DomainError(
                _("“%(name)s” has %(count)s boxes: tick “also remove its boxes” to remove it with them.")
                % {"name": current[row.id].name, "count": counts[row.id]},
                code="label_in_use", row=rows.index(row), field="remove")
    kept_ids = {row.id for row in rows if row.id is not None and not row.remove}
    removed = [current[i] for i in current if i not in kept_ids]
    for label in removed:
        Box.objects.filter(label=label).delete()
        label.delete()
    # Names and hotkeys may swap between rows: clear them first so the unique
    # constraints never see a half-applied state.
    LabelClass.objects.filter(pk__in=kept_ids).update(hotkey=None)
    for pk in kept_ids:
        LabelClass.objects.filter(pk=pk).update(name=f"\x1f{pk}")
    result = []
    for order, row in enumerate(r for r in rows if not r.remove):
        name = row.name.strip()
        color = row.color or PALETTE[order % len(PALETTE)]
        if row.id is None:
            label = LabelClass.objects.create(project=project, name=name, color=color, hotkey=row.hotkey, order=order)
        else:
            label = current[row.id]
            if label.name != name:
                _rename_in_json(project, label.name, name)
            label.name, label.color, label.hotkey, label.order = name, color, row.hotkey, order
            label.save(update_fields=["name", "color", "hotkey", "order"])
        result.append(label)
    audit_record(actor=actor, action=Action.PROJECT_UPDATE, project_id=project.pk, target_type="project",
                 target_id=project.pk,
                 details={"labels": [label.name for label in result], "removed": [label.name for label in removed]})
    return result
