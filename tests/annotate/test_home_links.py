"""The home page links what the gate allows: each link opens, each page left out refuses."""

import re

import pytest
from django.test import Client

from accounts.roles import Role
from tests.factories import add_member, make_user

PROJECT_PAGES = ["", "review/", "stats/", "images/", "map/", "datasets/", "energy/", "my-work/", "gold/",
                 "overview/", "tasks/", "settings/"]


def _home(user, project) -> tuple[str | None, set[str]]:
    """The main button's test id and every page of ``project`` the home page links."""
    browser = Client()
    browser.force_login(user)
    html = browser.get("/").content.decode()
    card = re.search(rf'<p class="actions"[^>]*data-project-id="{project.pk}">(.*?)</p>', html, re.S).group(1)
    main = re.search(r'class="button" data-testid="([^"]+)"', card)
    prefix = f"/annotate/projects/{project.pk}/"
    return (main.group(1) if main else None), {href[len(prefix):] for href in re.findall(r'href="([^"]+)"', card)}


def _status(user, project, page: str) -> int:
    browser = Client()
    browser.force_login(user)
    return browser.get(f"/annotate/projects/{project.pk}/{page}").status_code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "main", "pages"),
    [
        (Role.ANNOTATOR, "open-labeling", {"", "my-work/"}),
        (Role.SUPERVISOR, "open-review", {"review/", "stats/", "gold/", "images/", "map/", "datasets/", "energy/",
                                          "overview/", "tasks/", "settings/"}),
        (Role.CLIENT, "open-datasets", {"datasets/", "energy/"}),
    ],
)
def test_each_role_sees_the_links_its_role_opens(project, role, main, pages):
    user = make_user()
    add_member(project, user, role)
    shown_main, shown = _home(user, project)
    assert (shown_main, shown) == (main, pages)
    for page in PROJECT_PAGES:
        # What the home page links answers; what it leaves out is refused by the page itself.
        assert (_status(user, project, page) == 200) == (page in shown), (role, page)


@pytest.mark.django_db
def test_an_admin_gets_every_page_with_the_review_queue_first(project, admin_user):
    main, shown = _home(admin_user, project)
    assert main == "open-review" and shown == set(PROJECT_PAGES)


@pytest.mark.django_db
def test_a_member_of_another_project_sees_no_card_for_this_one(project, outsider):
    browser = Client()
    browser.force_login(outsider)
    assert f'data-project-id="{project.pk}"' not in browser.get("/").content.decode()
