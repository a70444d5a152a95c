"""Walking the site as a signed-in person would: follow the links each page shows.

The CSP test and the click-through test share it: the same links, the same
waits for each page's scripts, each test checking what it is about.
"""

import re
from collections.abc import Callable
from urllib.parse import urlparse

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.helpers import wait_drawn

# Sign-out ends the walk; raw data (API answers, files) is fetched, not opened as a page.
SIGN_OUT = ("/accounts/logout/", "/admin/logout/")
RAW = ("/api/v1/", "/api/schema/", "/static/", "/media/")


def links(page, origin: str, *, raw: bool = False) -> list[str]:
    """Same-origin links on the page, without fragments: pages, or (``raw``) data files."""
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    out = []
    for href in hrefs:
        url = urlparse(href)
        if f"{url.scheme}://{url.netloc}" != origin or url.path.startswith(SIGN_OUT):
            continue
        if url.path.startswith(RAW) != raw:
            continue
        # The admin is big: its index, one level of lists and their add forms are enough.
        if url.path.startswith("/admin/") and url.path.count("/") > 5:
            continue
        link = url._replace(fragment="").geturl()
        if link not in out:
            out.append(link)
    return out


def settle(page, url: str) -> None:
    """Wait for the page's own scripts: the tool has drawn its task, fetches are done."""
    if re.fullmatch(r"/annotate/projects/\d+/", urlparse(url).path):
        wait_drawn(page)
    try:
        # Pages that poll never go idle: five seconds is their share.
        page.wait_for_load_state("networkidle", timeout=5_000)
    except PlaywrightTimeout:
        pass


def crawl(page, origin: str, start: list[str], *, depth: int | None = None, max_pages: int = 40,
          visited: Callable = lambda url, response: None) -> list[str]:
    """Open ``start`` and the pages they link to, breadth first, ``depth`` links deep at most
    (None: until ``max_pages``); ``visited(url, response)`` is called on each page."""
    seen: list[str] = []
    queue = [(url, 0) for url in start]
    while queue and len(seen) < max_pages:
        url, level = queue.pop(0)
        if url in seen:
            continue
        seen.append(url)
        response = page.goto(url)
        settle(page, url)
        visited(url, response)
        if depth is None or level < depth:
            queue += [(link, level + 1) for link in links(page, origin) if link not in seen]
    return seen
