"""Connecting a project to model servers: create, check (health + setup), remove."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import User
from config.errors import Conflict
from labeling.mlbackends import convert, protocol
from labeling.mlbackends.guard import url_check
from labeling.models import MLBackend, Project

CHECK_TIMEOUT_SECONDS = 10.0


def project_label_config(project: Project) -> str:
    return convert.label_config(list(project.labels.order_by("id").values_list("name", flat=True)))


def backend_check(backend: MLBackend) -> MLBackend:
    """``GET /health`` then ``POST /setup`` with the label config; the state and model version are stored."""
    try:
        protocol.health(backend.url, auth_header=backend.auth_header, timeout=CHECK_TIMEOUT_SECONDS)
        version = protocol.setup(backend.url, project=convert.ls_project(backend.project),
                                 label_config=project_label_config(backend.project),
                                 auth_header=backend.auth_header, timeout=CHECK_TIMEOUT_SECONDS)
    except protocol.BackendError as exc:
        backend.state, backend.last_error = MLBackend.State.ERROR, f"{exc.code}: {exc}"
    except Exception as exc:  # the URL guard refusing a host that now resolves inside
        backend.state, backend.last_error = MLBackend.State.ERROR, f"{getattr(exc, 'code', 'error')}: {exc}"
    else:
        backend.state, backend.last_error = MLBackend.State.CONNECTED, ""
        backend.model_version = version or backend.model_version
    backend.save(update_fields=["state", "last_error", "model_version", "updated_at"])
    return backend


def backend_create(*, project: Project, user: User, name: str, url: str, auth_header: str = "",
                   timeout_seconds: float = 30.0) -> MLBackend:
    """Register a model server (its URL passes the SSRF guard) and check it once."""
    clean_url = url_check(url)
    try:
        with transaction.atomic():
            backend = MLBackend.objects.create(project=project, name=name, url=clean_url, auth_header=auth_header,
                                               timeout_seconds=timeout_seconds)
    except IntegrityError:
        raise Conflict(_("The project already has a model server named %(name)s.") % {"name": name},
                       code="duplicate_name", field="name") from None
    audit_record(actor=user, action="mlbackend.create", project_id=project.pk, target_type="ml_backend",
                 target_id=backend.pk, details={"name": name, "url": clean_url})
    return backend_check(backend)


def backend_delete(*, backend: MLBackend, user: User) -> None:
    audit_record(actor=user, action="mlbackend.delete", project_id=backend.project_id, target_type="ml_backend",
                 target_id=backend.pk, details={"name": backend.name, "url": backend.url})
    backend.delete()
