"""Who gets an export's file, and what its download leaves in the audit trail."""

from __future__ import annotations

from django.utils.translation import gettext as _

from rest_framework import status

from accounts.audit import Action, audit_record
from config.errors import Conflict, DomainError
from labeling.export import jobs
from labeling.models import Export


class Gone(DomainError):
    status_code = status.HTTP_410_GONE
    default_code = "gone"


def export_downloadable(export: Export) -> Export:
    """The export, if its file can be served: 409 while it is being made or failed, 410 once removed."""
    if export.state in (Export.State.PENDING, Export.State.RUNNING):
        raise Conflict(
            _("The export is still being made; try again when its state is done."),
            code="export_not_ready", state=export.state, progress=export.progress,
        )
    if export.state == Export.State.FAILED:
        raise Conflict(_("The export failed; request a new one."), code="export_failed")
    if export.state == Export.State.EXPIRED or not export.file:
        raise Gone(_("This version's file was removed by the retention policy."), code="export_expired")
    return export


def export_download_open(export: Export, *, actor) -> tuple:
    """Open the file for streaming and record the download: (file, download name, content type)."""
    if not export.file.storage.exists(export.file.name):
        raise Gone(_("The export file is missing."), code="export_missing")
    content_type = "application/zip" if jobs.export_is_zip(export) else "application/json"
    handle = export.file.open("rb")
    audit_record(
        actor=actor,
        action=Action.EXPORT_DOWNLOAD,
        project_id=export.project_id,
        target_type="export",
        target_id=export.pk,
        details={"version": export.version},
    )
    return handle, jobs.export_download_name(export), content_type
