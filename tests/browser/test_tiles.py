"""Large images: the stage draws Deep Zoom tiles of the right level for the view.

The tiles endpoint belongs to the images work; here the browser's requests for
tiles are answered by the test, which records what was asked for.
"""

import io
import math
import re

import pytest
from PIL import Image as PILImage

from accounts.roles import Role
from labeling.models import Image
from tests.browser.helpers import STAGE, ViewModel, login, make_scene_task, open_labeling, wait_until
from tests.factories import add_member, make_project, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

W, H, TILE = 8192, 6144, 512
LEVELS = math.ceil(math.log2(max(W, H))) + 1  # Deep Zoom: down to 1×1


def _jpeg(color) -> bytes:
    buf = io.BytesIO()
    PILImage.new("RGB", (TILE, TILE), color).save(buf, "JPEG")
    return buf.getvalue()


def test_zoomed_in_view_requests_full_resolution_tiles_of_the_visible_area(live_server, page):
    project = make_project("Orthophotos")
    user = make_user("annotator1")
    add_member(project, user, Role.ANNOTATOR)
    # The stored display image is 1/8 of the claimed original size, as for a real orthophoto.
    task = make_scene_task(project, width=W // 8, height=H // 8)
    Image.objects.filter(pk=task.image_id).update(width=W, height=H, tile_levels=LEVELS, tile_size=TILE)

    requested = []
    body = _jpeg((200, 30, 30))

    def serve_tile(route):
        requested.append(route.request.url)
        route.fulfill(status=200, content_type="image/jpeg", body=body)

    page.route(re.compile(r".*/api/v1/images/\d+/tiles/.*"), serve_tile)
    login(page, live_server.url, user.username)
    open_labeling(page, live_server.url, project.pk)
    page.wait_for_load_state("networkidle")
    assert requested == [], "at fit the display image is sharp enough: no tiles"

    for _ in range(10):  # 1.25**10 ≈ 9.3× the fit scale: above the display image's resolution
        page.keyboard.press("+")
    model = ViewModel(page.locator(STAGE).bounding_box(), W, H)
    for _ in range(10):
        model.zoom_centre(1.25)
    assert model.scale > (W // 8) / W

    # The coarsest level with at least one level pixel per screen pixel...
    level = LEVELS - 1
    while level > 0 and 1 / 2 ** (LEVELS - 1 - (level - 1)) >= model.scale:
        level -= 1
    span = TILE * 2 ** (LEVELS - 1 - level)
    # ...and the tiles covering the visible part of the image.
    x0, y0 = model.to_image(model.left, model.top)
    x1, y1 = model.to_image(model.left + model.w, model.top + model.h)
    expected = {
        (c, r)
        for c in range(max(0, int(x0 // span)), min(math.ceil(W / span) - 1, int(x1 // span)) + 1)
        for r in range(max(0, int(y0 // span)), min(math.ceil(H / span) - 1, int(y1 // span)) + 1)
    }
    def fetched() -> set:
        got = set()
        for url in list(requested):
            m = re.search(r"/tiles/(\d+)/(\d+)_(\d+)\.jpg$", url)
            assert m, url
            assert int(m.group(1)) <= level, f"finer tiles than the view needs: {url}"
            if int(m.group(1)) == level:
                got.add((int(m.group(2)), int(m.group(3))))
        return got

    wait_until(page, lambda: expected <= fetched(), what="the visible tiles")
    got = fetched()
    # Every visible tile was fetched (earlier zoom steps may have fetched neighbours too).
    assert expected <= got
    # The tile pixels are on the stage: its centre is the tiles' red, not the scene.
    def centre() -> list:
        return page.evaluate("""(() => { const c = document.querySelector('%s');
        const d = c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data;
        return [d[0], d[1], d[2]]; })()""" % STAGE)

    wait_until(page, lambda: centre()[0] > 150, what="the tiles painted")
    pixel = centre()
    assert pixel[0] > 150 and pixel[1] < 80, pixel
