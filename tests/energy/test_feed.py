"""The Electricity-Maps-shaped provider (§4.11 F) and polling it from a local HTTP server."""

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from energy.feed import feed_poll
from energy.models import SupplyInterval
from energy.providers.emaps import FeedError, map_element, map_history

F_BREAKDOWN = {"hydro": 3000, "solar": 5000, "wind": 1000, "coal": 800, "battery discharge": 200}


def element(hour=2, **extra):
    return {"zone": "CN-QH", "datetime": f"2025-07-01T{hour:02d}:00:00.000Z", "powerConsumptionBreakdown": dict(F_BREAKDOWN),
            "powerConsumptionTotal": 10000, "isEstimated": False, **extra}


def test_emaps_history_fixture_mapping():
    with_storage = map_element(element(storageCleanShare=1.0), provider="emaps:t")
    assert with_storage.total_kw == 10_000_000 and with_storage.share == pytest.approx(0.92, rel=1e-12)
    plain = map_element(element(), provider="emaps:t")
    assert plain.share == pytest.approx(0.90, rel=1e-12)
    assert plain.by_source_kw["storage_other"] == 200_000 and plain.quality == "measured"
    assert (plain.end - plain.start).total_seconds() == 3600


def test_emaps_null_and_estimated_flags():
    item = element(isEstimated=True, estimationMethod="TIME_SLICER_AVERAGE")
    item["powerConsumptionBreakdown"].update({"geothermal": None, "battery discharge": -7})
    s = map_element(item, provider="emaps:t")
    assert s.quality == "estimated" and "geothermal" not in s.by_source_kw
    assert s.total_kw == 9_800_000  # charging (negative discharge) supplies nothing


def test_renewablePercentage_fallback():
    s = map_element({"datetime": "2025-07-01T02:00:00Z", "renewablePercentage": 22, "powerConsumptionTotal": 47326}, provider="e")
    assert s.share == pytest.approx(0.22) and s.by_source_kw == {}


@pytest.mark.parametrize("bad", [
    {"datetime": "yesterday", "renewablePercentage": 10},
    {"datetime": "2025-07-01T02:00:00", "renewablePercentage": 10},
    {"datetime": "2025-07-01T02:00:00Z"},
    {"datetime": "2025-07-01T02:00:00Z", "powerConsumptionBreakdown": {"hydro": "lots"}},
    {"datetime": "2025-07-01T02:00:00Z", "powerConsumptionBreakdown": {"hydro": 0}},
    "not an object",
])
def test_emaps_garbage_elements_are_reported(bad):
    records, problems = map_history({"history": [bad]}, provider="e")
    assert records == [] and problems and problems[0]["row"] == 1


def test_emaps_garbage_payload():
    with pytest.raises(FeedError):
        map_history(["nope"], provider="e")


class Feed(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):
        status, body, delay = self.routes.get("reply", (200, b"{}", 0))
        Feed.seen.append((self.path, self.headers.get("auth-token")))
        time.sleep(delay)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server():
    Feed.routes, Feed.seen = {}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", Feed
    server.shutdown()
    server.server_close()
    thread.join(5)


def _poll(url, **kw):
    return feed_poll(base_url=url, zone="CN-QH", site="qinghai-demo", token="t0k", timeout=kw.pop("timeout", 2), **kw)


@pytest.mark.django_db
def test_feed_poll_stores_intervals_and_is_idempotent(feed_server):
    url, feed = feed_server
    history = {"zone": "CN-QH", "history": [element(1), element(2, storageCleanShare=1.0), {"datetime": None}]}
    feed.routes["reply"] = (200, json.dumps(history).encode(), 0)
    result = _poll(url)
    assert result["status"] == "ok" and result["stored"] == 2 and len(result["problems"]) == 1
    assert feed.seen[0] == ("/v3/power-breakdown/history?zone=CN-QH", "t0k")
    shares = sorted(round(r.clean_kw / r.total_kw, 6) for r in SupplyInterval.objects.all())
    assert shares == [0.9, 0.92]
    assert _poll(url)["stored"] == 2 and SupplyInterval.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("reply, message", [
    ((200, b"<html>oops</html>", 0), "not JSON"),
    ((500, b"{}", 0), "HTTP 500"),
    ((200, b"[1, 2]", 0), "neither a history"),
    ((200, b"{}", 1.5), "timed out"),
])
def test_feed_failures_are_logged_and_store_nothing(feed_server, caplog, reply, message):
    url, feed = feed_server
    feed.routes["reply"] = reply
    with caplog.at_level(logging.WARNING, logger="energy.feed"):
        result = _poll(url, timeout=0.5)
    assert result["status"] == "error" and message in result["error"]
    assert message in caplog.text and SupplyInterval.objects.count() == 0


@pytest.mark.django_db
def test_feed_unreachable_and_disabled(caplog):
    assert feed_poll(base_url="")["status"] == "disabled"
    with caplog.at_level(logging.WARNING, logger="energy.feed"):
        result = feed_poll(base_url="http://127.0.0.1:9", zone="CN-QH", timeout=1)
    assert result["status"] == "error" and "unreachable" in result["error"]


@pytest.mark.django_db
def test_feed_never_overwrites_measured_meter_data(feed_server):
    from energy.supply import site_get, supply_store

    url, feed = feed_server
    measured = map_element(element(1, isEstimated=False), provider="csv:meter")
    supply_store(site=site_get(None), records=[(2, measured)], strict=True)
    feed.routes["reply"] = (200, json.dumps({"history": [element(1, isEstimated=True, storageCleanShare=1.0)]}).encode(), 0)
    assert _poll(url)["kept"] == 1
    assert SupplyInterval.objects.get().provider == "csv:meter"
