"""A client who opens a page their role does not allow sees the site, not a bare 403."""

import pytest

from accounts.roles import Role
from tests.browser.helpers import login
from tests.factories import add_member, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_forbidden_page_has_the_header_a_way_back_and_a_quiet_console(live_server, page):
    project = make_project("Forbidden tool")
    client_user = make_user("client-403")
    add_member(project, client_user, Role.CLIENT)
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status == 404 else None)
    login(page, live_server.url, client_user.username)

    response = page.goto(f"{live_server.url}/annotate/projects/{project.pk}/")
    assert response.status == 403
    assert page.get_by_role("heading", name="403 · Not allowed").is_visible()
    assert page.locator(".topbar [data-testid=username]").inner_text() == "client-403"
    page.get_by_role("link", name="Back to my projects").click()
    page.wait_for_url(f"{live_server.url}/")
    assert failed == []  # no favicon or asset 404 on the way
