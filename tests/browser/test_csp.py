"""Every page works under the Content-Security-Policy: no violation while each role clicks through.

Each role signs in and follows every link it is shown (pages, the API docs,
the admin for admins), waiting for each page's scripts to finish. Violations
are caught two ways: the ``securitypolicyviolation`` event, reported to the
test from every document, and Chromium's console messages about the policy.
"""

from urllib.parse import urlparse

import pytest

from labeling.demo.seed import seed_demo
from tests.browser.crawl import crawl
from tests.browser.helpers import login
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} in ${e.documentURI}`);
});
"""


def _crawl(page, origin: str, start: list[str]) -> list[str]:
    def visited(url, response):
        # A 403 page is a page too (the capture map links supervisors to task pages
        # only annotators may open); it must obey the policy like the others.
        assert response.status < 500, (url, response.status)
        assert "script-src 'self'" in response.headers.get("content-security-policy", ""), url

    return crawl(page, origin, start, visited=visited)


@pytest.fixture
def browser_context_args(browser_context_args):
    """The policy applies here: the other browser tests bypass it for their string predicates."""
    return {**browser_context_args, "bypass_csp": False}


@pytest.fixture
def demo(live_server):
    seed_demo(images=2, width=480, height=360, password=PASSWORD)
    make_user("admin1", is_staff=True, is_superuser=True)
    return live_server.url


@pytest.mark.parametrize("username", ["annotator1", "supervisor1", "client1", "admin1"])
def test_each_role_clicks_through_every_page_without_a_csp_violation(demo, page, username):
    violations: list[str] = []
    page.expose_function("__cspViolation", lambda text: violations.append(text))
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

    login(page, demo, username)
    start = [f"{demo}/", f"{demo}/api/docs/"] + ([f"{demo}/admin/"] if username == "admin1" else [])
    visited = _crawl(page, demo, start)

    paths = {urlparse(url).path for url in visited}
    assert "/api/docs/" in paths
    if username != "annotator1":
        assert any(p.endswith("/datasets/") for p in paths) and any(p.endswith("/energy/") for p in paths)
    if username in ("supervisor1", "admin1"):
        assert {"review", "stats", "images", "map"} <= {p.rstrip("/").rsplit("/", 1)[-1] for p in paths}
    if username == "annotator1":
        assert any(p.startswith("/annotate/projects/") for p in paths)
    # The docs page rendered the operations (its script ran under the policy).
    page.goto(f"{demo}/api/docs/")
    page.wait_for_selector(".opblock", timeout=20_000)
    assert violations == [], violations


def test_an_inline_script_is_blocked_by_the_policy(demo, page):
    """The check above can fail: a script injected inline is refused and reported."""
    violations: list[str] = []
    page.expose_function("__cspViolation", lambda text: violations.append(text))
    page.add_init_script(REPORT_VIOLATIONS)
    login(page, demo, "annotator1")
    page.evaluate("""() => { const s = document.createElement("script");
                             s.textContent = "window.__ran = true"; document.body.append(s); }""")
    page.wait_for_function("() => true")
    assert page.evaluate("() => window.__ran === undefined")
    page.wait_for_timeout(0)
    assert any("script-src" in v for v in violations), violations
