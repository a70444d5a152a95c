"""Each role clicks through what it is shown, and the browser's console stays clean.

Signed in as annotator, supervisor, client and admin, the walk opens the home
page, every same-origin page it links to (the project pages, the header's
links) and every page those link to. Anything a person would see in the
developer tools counts: console errors, uncaught script errors, and any
response (page, script, style, image, favicon, fetch) that is a 404 or a 5xx.
Links to data (API answers, media files) are fetched rather than opened.
"""

from urllib.parse import urlparse

import pytest

from labeling.demo.seed import seed_demo
from labeling.models import Task
from tests.browser.crawl import crawl, links
from tests.browser.helpers import login
from tests.factories import PASSWORD, api_client, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_PAGES = 150


@pytest.fixture
def demo(live_server):
    """The demo project with a submitted task (review queue, reports) and an export (datasets)."""
    project = seed_demo(images=2, width=480, height=360, password=PASSWORD).project
    make_user("admin1", is_staff=True, is_superuser=True)
    from accounts.models import User

    annotator = api_client(User.objects.get(username="annotator1"))
    task = annotator.post(f"/api/v1/projects/{project.pk}/tasks/next/").json()
    box = {"label": "yak", "x": 10, "y": 20, "width": 40, "height": 30}
    saved = annotator.put(f"/api/v1/tasks/{task['id']}/annotation/", {"boxes": [box], "version": 0}, format="json")
    assert saved.status_code == 200, saved.content
    assert annotator.post(f"/api/v1/tasks/{task['id']}/submit/").status_code == 200
    client = api_client(User.objects.get(username="client1"))
    export = client.post(f"/api/v1/projects/{project.pk}/exports/", {"format": "coco", "status": "all"}, format="json")
    assert export.status_code in (200, 201, 202), export.content
    assert Task.objects.filter(project=project).count() == 2
    return live_server.url


@pytest.mark.parametrize("username", ["annotator1", "supervisor1", "client1", "admin1"])
def test_each_role_clicks_through_with_no_console_error_and_no_missing_file(demo, page, username):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type} on {page.url}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"script error on {page.url}: {e}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url} (on {page.url})")
            if r.status == 404 or r.status >= 500 else None)
    data_links: set[str] = set()

    def visited(url, response):
        data_links.update(links(page, demo, raw=True))

    login(page, demo, username)
    pages = crawl(page, demo, [f"{demo}/"], depth=2, max_pages=MAX_PAGES, visited=visited)
    for url in sorted(data_links):
        status = page.request.get(url).status
        if status == 404 or status >= 500:
            problems.append(f"{status} {url} (a link to data)")

    assert len(pages) < MAX_PAGES, "the walk was cut short: raise MAX_PAGES"
    paths = {urlparse(url).path for url in pages}
    if username == "annotator1":
        assert any(p.endswith("/my-work/") for p in paths), paths
    if username in ("supervisor1", "admin1"):
        assert {"review", "stats", "images", "map", "tasks", "overview", "settings", "gold"} <= {
            p.rstrip("/").rsplit("/", 1)[-1] for p in paths}, paths
    if username == "client1":
        assert any(p.endswith("/datasets/") for p in paths) and any(p.endswith("/energy/") for p in paths), paths
    if username == "admin1":
        assert any(p.startswith("/admin/") and p.count("/") > 2 for p in paths), paths
    assert problems == [], "\n".join(problems)
