"""The park's load model, small: ~20 annotators for ~30 s on a real stack.

gunicorn and a Celery worker with beat run in subprocesses on the test database;
Locust (``bench/park/locustfile.py``) drives annotators, supervisors and a
client over HTTP with the think time cut to seconds. Only correctness is
asserted: no failed request, every save the server acknowledged is in the
database, and no task was leased to two people.
"""

import csv
import json
import os
import socket
import subprocess
import sys

import pytest
import redis
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from rest_framework.authtoken.models import Token

from accounts.models import User
from bench.park import checks
from bench.park.fill import PASSWORD, fill
from bench.park.stack import ROOT, Stack
from tests.processes import child_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ANNOTATORS = 20
SIGNING_IN = 3  # the others start with a token, as a browser with a session does


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stats(prefix) -> dict[str, dict]:
    with open(f"{prefix}_stats.csv") as rows:
        return {row["Name"]: row for row in csv.DictReader(rows)}


def test_twenty_annotators_lose_nothing_and_share_no_lease(tmp_path):
    hasher = PBKDF2PasswordHasher()
    state = fill(tasks=400, annotators=ANNOTATORS, supervisors=2, clients=1,
                 password_hash=hasher.encode(PASSWORD, hasher.salt()), state_path=tmp_path / "state.json")
    tokens = {name: Token.objects.get_or_create(user=User.objects.get(username=name))[0].key
              for name in state["annotators"][SIGNING_IN:] + state["supervisors"] + state["clients"]}
    (tmp_path / "tokens.json").write_text(json.dumps(tokens))
    broker = os.environ["CELERY_BROKER_URL"]
    redis.Redis.from_url(broker).flushdb()
    port = _free_port()
    env = child_env(CELERY_BROKER_URL=broker)
    with Stack(port=port, workers=2, threads=4, env=env, log_dir=tmp_path):
        run = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "bench/park/locustfile.py"), "--headless",
             "-u", str(ANNOTATORS + 3), "-r", "20", "-t", "30s", "--stop-timeout", "10",
             "--host", f"http://127.0.0.1:{port}", "--csv", str(tmp_path / "park"), "--only-summary",
             "--loglevel", "WARNING"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
            env={**os.environ, "PARK_STATE": str(tmp_path / "state.json"),
                 "PARK_TOKENS": str(tmp_path / "tokens.json"), "PARK_LEDGER": str(tmp_path / "ledger.jsonl"),
                 # Tasks of seconds, not a minute: every step of the cycle happens several times.
                 "PARK_THINK": "3,5", "PARK_HEARTBEAT": "2", "PARK_REVIEW_EVERY": "2,4",
                 "PARK_EXPORT_EVERY": "8", "PARK_SUPERVISORS": "2"},
        )
    stats = _stats(tmp_path / "park")
    report = run.stdout[-4000:] + run.stderr[-2000:]
    assert stats["Aggregated"]["Failure Count"] == "0", report
    assert run.returncode == 0, report
    for name in ("A next", "A save", "A heartbeat", "A submit", "A image display", "A image thumbnail",
                 "A sign-in", "S review queue", "C export request"):
        assert int(stats[name]["Request Count"]) > 0, (name, report)

    rows = checks.read(tmp_path / "ledger.jsonl")
    made = checks.counts(rows)
    assert made.get("save", 0) >= ANNOTATORS and made.get("lease", 0) >= ANNOTATORS, (made, report)
    assert made.get("failure", 0) == 0, report
    assert checks.lost_saves(rows) == []
    assert checks.shared_leases(rows, state["project"]) == {}
