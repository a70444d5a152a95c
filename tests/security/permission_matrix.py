"""THE permission table: every API route and browser page, every role, from the attacker's side.

One row per (route, method). ``tests/security/test_permission_matrix.py`` runs each
row three times, with the ids of

- ``own``: objects of project A (the project the roles below belong to),
- ``other``: objects of project B (another project; forged ids of real objects),
- ``missing``: ids that do not exist (999999999),

and fails when a route under /api/v1/ or a browser page has no row.

Roles (the columns)
    anonymous     not signed in
    annotator     annotator of A, no lease on A's task
    leased        annotator of A holding a live lease on A's task
    outsider      annotator of B
    supervisor    supervisor of A
    client        client of A
    other_client  client of B
    admin         staff user, member of nothing

Expected values
    an int        that exact status (401, 403, 404, 200, 201, 302, ...)
    OK            allowed: any status below 400, or a payload refusal (400, 409, 413, 415)
    LOGIN         a page's redirect to /accounts/login/
    ANY           not asserted (only: no 5xx, no leak)

On B's objects the default is: A's roles (annotator, leased, supervisor, client) get 404,
outsider and other_client get what annotator and client get on their own project,
anonymous and admin as on A. On missing ids every signed-in role gets 404. Give
``other=`` or ``missing=`` to a row to override single cells.

Every response to someone outside a project must not contain that project's
marker strings (project name, label name, image file name, image checksum):
this is how list endpoints are checked for leaks.

Adding an endpoint: one ``Row(...)`` line per method. The template may use
{project} {task} {image} {export} {label} {user}; ``data`` is the request body (a
callable ``data(world, side)`` when it needs ids or names). A row whose route no view
answers fails (it is never skipped): renaming or deleting an endpoint means changing
its row here too.
"""

from dataclasses import dataclass, field
from typing import Any, Callable

OK, LOGIN, ANY = "ok", "login", "any"
ROLES = ("anonymous", "annotator", "leased", "outsider", "supervisor", "client", "other_client", "admin")


def roles(*, anonymous, annotator, outsider, supervisor, client, other_client, admin, leased=None) -> dict:
    """Expectations on project A's objects; ``leased`` defaults to ``annotator``."""
    return {
        "anonymous": anonymous, "annotator": annotator, "leased": annotator if leased is None else leased,
        "outsider": outsider, "supervisor": supervisor, "client": client,
        "other_client": other_client, "admin": admin,
    }


def everyone(value, *, anonymous=401) -> dict:
    return {role: (anonymous if role == "anonymous" else value) for role in ROLES}


# Common shapes. "member": any role in A may read; "manage": supervisors only.
MEMBER_READ = roles(anonymous=401, annotator=200, outsider=404, supervisor=200, client=200, other_client=404, admin=200)
MANAGE = roles(anonymous=401, annotator=403, outsider=404, supervisor=OK, client=403, other_client=404, admin=OK)
ADMIN_ONLY = roles(anonymous=401, annotator=403, outsider=403, supervisor=403, client=403, other_client=403, admin=OK)
# Tasks and their images: annotators see only what they lease or worked on.
TASK_READ = roles(anonymous=401, annotator=404, leased=200, outsider=404, supervisor=200, client=200,
                  other_client=404, admin=200)
EXPORT_READ = roles(anonymous=401, annotator=403, outsider=404, supervisor=200, client=200, other_client=404, admin=200)
ANNOTATE = roles(anonymous=401, annotator=404, leased=OK, outsider=404, supervisor=ANY, client=403,
                 other_client=404, admin=ANY)
PAGE_MEMBER = roles(anonymous=LOGIN, annotator=200, outsider=404, supervisor=ANY, client=ANY, other_client=404, admin=ANY)
# Pages for supervisors and clients (datasets, green report).
PAGE_REPORT = roles(anonymous=LOGIN, annotator=403, outsider=404, supervisor=200, client=200, other_client=404,
                    admin=200)
SUPERVISE = roles(anonymous=401, annotator=403, outsider=404, supervisor=200, client=403, other_client=404, admin=200)
PAGE_MANAGE = roles(anonymous=LOGIN, annotator=403, outsider=404, supervisor=200, client=403, other_client=404,
                    admin=200)
TILES = roles(anonymous=401, annotator=404, leased=ANY, outsider=404, supervisor=ANY, client=ANY,
              other_client=404, admin=ANY)
# Supervisors reach the object lookup; these ids name no backend or run: 404.
NO_SUCH_MODEL_OBJECT = roles(anonymous=401, annotator=403, outsider=404, supervisor=404, client=403, other_client=404,
                             admin=404)
# Page forms of supervisors: a post that works redirects (OK), a refused one says why (200/400).
PAGE_MANAGE_POST = roles(anonymous=LOGIN, annotator=403, outsider=404, supervisor=OK, client=403, other_client=404,
                         admin=OK)
# An annotator's own work: annotators (and admins, who hold every capability).
OWN_WORK = roles(anonymous=401, annotator=200, outsider=404, supervisor=403, client=403, other_client=404, admin=200)
PAGE_OWN_WORK = roles(anonymous=LOGIN, annotator=200, outsider=404, supervisor=403, client=403, other_client=404,
                      admin=200)
GOLD_MANAGE = roles(anonymous=401, annotator=404, leased=403, outsider=404, supervisor=OK, client=403,
                   other_client=404, admin=OK)
PAGE_TASK = roles(anonymous=LOGIN, annotator=404, leased=200, outsider=404, supervisor=ANY, client=ANY,
                  other_client=404, admin=ANY)


@dataclass(frozen=True)
class Row:
    route: str
    method: str
    expect: dict[str, Any]
    data: Any = None
    format: str = "json"
    other: dict[str, Any] = field(default_factory=dict)
    missing: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}"


def _token_body(world, side):
    return {"username": world.users["leased"].username, "password": world.password}


def _member_body(world, side):
    return {"username": world.users["outsider"].username, "role": "annotator"}


def _png(world, side):
    return {"files": world.png_upload()}


def _coco(world, side):
    from django.core.files.uploadedfile import SimpleUploadedFile

    empty = b'{"images": [], "annotations": [], "categories": []}'
    return {"file": SimpleUploadedFile("coco.json", empty, "application/json"), "mode": "gold"}


ROWS: list[Row] = [
    # --- accounts -----------------------------------------------------------------------
    Row("/api/v1/auth/token/", "POST", everyone(OK, anonymous=OK), data=_token_body),
    Row("/api/v1/users/", "POST", ADMIN_ONLY, data={"username": "newcomer", "password": "yak-herder-2026!"}),
    Row("/api/v1/users/me/", "GET", everyone(200)),
    Row("/api/v1/users/me/", "PATCH", everyone(200), data={"language": "zh-hans"}),
    Row("/api/v1/audit/", "GET", ADMIN_ONLY),
    Row("/api/v1/projects/{project}/audit/", "GET",
        roles(anonymous=401, annotator=403, outsider=404, supervisor=200, client=403, other_client=404, admin=200)),
    # --- projects, labels, members ------------------------------------------------------
    Row("/api/v1/projects/", "GET", everyone(200)),
    Row("/api/v1/projects/", "POST",
        roles(anonymous=401, annotator=403, outsider=403, supervisor=201, client=403, other_client=403, admin=201),
        data={"name": "Yushu survey"}),
    Row("/api/v1/projects/{project}/", "GET", MEMBER_READ),
    Row("/api/v1/projects/{project}/", "PATCH", MANAGE, data={"description": "changed"}),
    Row("/api/v1/projects/{project}/labels/", "GET", MEMBER_READ),
    Row("/api/v1/projects/{project}/labels/", "POST", MANAGE, data={"name": "herder"}),
    Row("/api/v1/projects/{project}/labels/{label}/", "PATCH", MANAGE, data={"display_names": {"zh-hans": "牦牛"}}),
    Row("/api/v1/projects/{project}/members/", "GET", MANAGE),
    Row("/api/v1/projects/{project}/members/", "POST", MANAGE, data=_member_body),
    # --- image bytes ----------------------------------------------------------------------
    Row("/api/v1/images/{image}/file/", "GET", TASK_READ),
    Row("/api/v1/images/{image}/display/", "GET", TASK_READ),
    Row("/api/v1/images/{image}/thumbnail/", "GET", TASK_READ),
    # Task views hand out signed links to these two files; a link is the key, a bad one is 404 for all.
    Row("/api/v1/files/not-a-signature/", "GET", everyone(404, anonymous=404)),
    # The world's image is small, so it has no tile pyramid: allowed roles get a 404 too.
    Row("/api/v1/images/{image}/dzi/", "GET", TILES),
    Row("/api/v1/images/{image}/tiles/0/0_0.jpg", "GET", TILES),
    Row("/api/v1/projects/{project}/images/", "GET", EXPORT_READ),
    # --- schema and docs: public by design (the API is open source) -------------------------
    Row("/api/schema/", "GET", everyone(200, anonymous=200)),
    Row("/api/docs/", "GET", everyone(200, anonymous=200)),
    Row("/favicon.ico", "GET", everyone(301, anonymous=301)),
    # --- tasks, annotations, review, exports -------------------------------------------------
    Row("/api/v1/projects/{project}/images/", "POST", MANAGE, data=_png, format="multipart"),
    Row("/api/v1/projects/{project}/tasks/next/", "POST",
        roles(anonymous=401, annotator=OK, outsider=404, supervisor=403, client=403, other_client=404, admin=ANY)),
    Row("/api/v1/tasks/{task}/", "GET", TASK_READ),
    Row("/api/v1/projects/{project}/tasks/", "GET", MEMBER_READ),
    Row("/api/v1/projects/{project}/my-progress/", "GET", MEMBER_READ),
    Row("/api/v1/projects/{project}/my-work/", "GET", OWN_WORK),
    Row("/api/v1/tasks/{task}/take-back/", "POST", ANNOTATE),
    Row("/api/v1/tasks/{task}/assign/", "POST",
        roles(anonymous=401, annotator=404, leased=403, outsider=404, supervisor=OK, client=403,
              other_client=404, admin=OK),
        data=lambda world, side: {"username": world.users["annotator"].username}),
    # Supervisors read an annotator's work with ?annotator=ID; without it, their own (none: 404).
    Row("/api/v1/tasks/{task}/annotation/", "GET",
        roles(anonymous=401, annotator=404, leased=OK, outsider=404, supervisor=ANY, client=ANY,
              other_client=404, admin=ANY)),
    Row("/api/v1/tasks/{task}/annotation/", "PUT", ANNOTATE, data={"boxes": [], "version": 0}),
    Row("/api/v1/tasks/{task}/submit/", "POST", ANNOTATE),
    Row("/api/v1/tasks/{task}/skip/", "POST", ANNOTATE),
    Row("/api/v1/tasks/{task}/heartbeat/", "POST", ANNOTATE),
    Row("/api/v1/projects/{project}/review-queue/", "GET",
        roles(anonymous=401, annotator=403, outsider=404, supervisor=200, client=403, other_client=404, admin=200)),
    Row("/api/v1/projects/{project}/review-queue/waiting/", "GET", SUPERVISE),
    Row("/api/v1/tasks/{task}/review-early/", "POST",
        roles(anonymous=401, annotator=404, leased=403, outsider=404, supervisor=OK, client=403,
              other_client=404, admin=OK)),
    Row("/api/v1/projects/{project}/stats/", "GET", SUPERVISE),
    Row("/api/v1/projects/{project}/gold/", "GET", SUPERVISE),
    Row("/api/v1/projects/{project}/gold/results/", "GET", SUPERVISE),
    Row("/api/v1/tasks/{task}/gold/", "POST", GOLD_MANAGE),
    Row("/api/v1/tasks/{task}/gold/", "DELETE", GOLD_MANAGE),
    # {user} is an annotator of A: in B's stats that person does not exist, even for admins.
    Row("/api/v1/projects/{project}/stats/annotators/{user}/", "GET", SUPERVISE, other={"admin": 404}),
    Row("/api/v1/tasks/{task}/review/", "POST",
        roles(anonymous=401, annotator=404, leased=403, outsider=404, supervisor=OK, client=403,
              other_client=404, admin=OK),
        data={"decision": "accept", "comment": ""}),
    Row("/api/v1/projects/{project}/exports/", "POST",
        roles(anonymous=401, annotator=403, outsider=404, supervisor=OK, client=OK, other_client=404, admin=OK),
        data={"format": "coco", "status": "accepted"}),
    Row("/api/v1/projects/{project}/exports/", "GET", EXPORT_READ),
    Row("/api/v1/projects/{project}/coco-import/", "POST", MANAGE, data=_coco, format="multipart"),
    Row("/api/v1/projects/{project}/dataset-import/", "POST", MANAGE, data=_coco, format="multipart"),
    Row("/api/v1/exports/{export}/", "GET", EXPORT_READ),
    Row("/api/v1/exports/{export}/download/", "GET", EXPORT_READ),
    # --- models in the loop: {label} stands in for ids of backends and runs the world lacks -------
    Row("/api/v1/projects/{project}/ml-backends/", "GET", SUPERVISE),
    Row("/api/v1/projects/{project}/ml-backends/", "POST", MANAGE, data={"name": "m", "url": "http://127.0.0.1:9"}),
    Row("/api/v1/projects/{project}/ml-backends/{label}/", "GET", NO_SUCH_MODEL_OBJECT),
    Row("/api/v1/projects/{project}/ml-backends/{label}/", "DELETE", NO_SUCH_MODEL_OBJECT),
    Row("/api/v1/projects/{project}/ml-backends/{label}/check/", "POST", NO_SUCH_MODEL_OBJECT),
    Row("/api/v1/projects/{project}/predictions/run/", "POST", NO_SUCH_MODEL_OBJECT,
        data=lambda world, side: {"backend": world.sides["own"]["label"]}),
    Row("/api/v1/projects/{project}/predictions/train/", "POST", NO_SUCH_MODEL_OBJECT,
        data=lambda world, side: {"backend": world.sides["own"]["label"]}),
    Row("/api/v1/projects/{project}/model-runs/", "GET", SUPERVISE),
    Row("/api/v1/projects/{project}/model-runs/{label}/", "GET", NO_SUCH_MODEL_OBJECT),
    Row("/api/v1/projects/{project}/model-quality/", "GET", SUPERVISE),
    # Model servers fetch images with a signed link and no session: a bad link is 404 for all.
    Row("/api/v1/ml/images/{image}/not-a-signature/", "GET", everyone(404, anonymous=404)),
    Row("/annotate/projects/{project}/models/", "GET", PAGE_MANAGE),
    # --- energy ------------------------------------------------------------------------------
    Row("/api/v1/projects/{project}/energy/", "GET", EXPORT_READ),
    Row("/api/v1/tasks/{task}/energy/", "GET", TASK_READ),
    # --- browser pages --------------------------------------------------------------------
    Row("/accounts/login/", "GET", everyone(200, anonymous=200)),
    Row("/accounts/logout/", "POST", everyone(302, anonymous=302)),
    # The JavaScript catalog and the language switcher: the same for everyone.
    Row("/i18n/js/", "GET", everyone(200, anonymous=200)),
    Row("/i18n/setlang/", "POST", everyone(302, anonymous=302), data={"language": "en", "next": "/"}),
    Row("/", "GET", everyone(200, anonymous=LOGIN)),
    Row("/annotate/projects/{project}/", "GET", PAGE_MEMBER),
    Row("/annotate/tasks/{task}/", "GET", PAGE_TASK),
    Row("/annotate/projects/{project}/datasets/", "GET", PAGE_REPORT),
    Row("/annotate/projects/{project}/images/", "GET", PAGE_MANAGE),
    Row("/annotate/projects/{project}/review/", "GET", PAGE_MANAGE),
    Row("/annotate/projects/{project}/stats/", "GET", PAGE_MANAGE),
    Row("/annotate/projects/{project}/map/", "GET", PAGE_MANAGE),
    Row("/annotate/projects/{project}/energy/", "GET", PAGE_REPORT),
    # --- running a project from the browser --------------------------------------------------
    # Anyone who supervises some project may start one; annotators and clients are refused.
    Row("/annotate/projects/new/", "GET",
        roles(anonymous=LOGIN, annotator=403, outsider=403, supervisor=200, client=403, other_client=403, admin=200)),
    Row("/annotate/projects/new/", "POST",
        roles(anonymous=LOGIN, annotator=403, outsider=403, supervisor=OK, client=403, other_client=403, admin=OK),
        data={"name": "Yushu survey"}),
    Row("/annotate/projects/{project}/settings/", "GET", PAGE_MANAGE),
    Row("/annotate/projects/{project}/settings/", "POST", PAGE_MANAGE_POST,
        data=lambda world, side: {"action": "member_add", "username": world.users["outsider"].username,
                                  "role": "annotator"}),
    Row("/annotate/projects/{project}/overview/", "GET", PAGE_MANAGE),
    Row("/annotate/projects/{project}/tasks/", "GET", PAGE_MANAGE),
    # The own side's task id is sent to both projects: on B it is a forged id.
    Row("/annotate/projects/{project}/tasks/", "POST", PAGE_MANAGE_POST,
        data=lambda world, side: {"action": "priority", "priority": "5", "task": [world.sides["own"]["task"]]}),
    Row("/annotate/projects/{project}/my-work/", "GET", PAGE_OWN_WORK),
    Row("/annotate/projects/{project}/gold/", "GET", PAGE_MANAGE),
]

# Routes outside the table on purpose, with the reason.
EXEMPT_PREFIXES = {
    "admin/": "Django's admin: staff-only by Django itself",
    "api/<path:rest>": "the JSON 404 for unknown API paths",
    "static/": "static files (DEBUG only)",
    "^static/": "static files (DEBUG only, as a regex route)",
}

Body = dict | Callable[[Any, str], dict] | None
