"""The console of the server `make run` starts: a refused page is one line, not a traceback."""

import socket
import subprocess
import time

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from accounts.roles import Role
from config.launcher import BASE_DIR, _children
from tests.factories import PASSWORD, add_member, make_project, make_user
from tests.processes import child_env, stop

# A real server on the test database: the rows it reads must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, server: subprocess.Popen, log, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited:\n{log.read_text()}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {seconds} s:\n{log.read_text()}")


def test_a_forbidden_page_prints_one_line_and_no_traceback(tmp_path, monkeypatch):
    project = make_project("Refused")
    client_user = make_user("client-refused")
    add_member(project, client_user, Role.CLIENT)
    # The server runs the production settings' hashers, not the tests' fast one.
    hasher = PBKDF2PasswordHasher()
    client_user.password = hasher.encode(PASSWORD, hasher.salt())
    client_user.save(update_fields=["password"])

    port = _free_port()
    monkeypatch.setenv("WEB_WORKERS", "1")  # the machine is shared; one worker shows the same
    [web] = [argv for name, argv in _children("127.0.0.1", str(port)) if name == "web server"]
    env = {k: v for k, v in child_env().items() if k not in {"DEBUG", "LOG_LEVEL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(web, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    forbidden = f"/annotate/projects/{project.pk}/"  # the labeling page: annotators only
    try:
        _wait_for(f"{base}/accounts/login/", server, log)
        browser = requests.Session()
        browser.get(f"{base}/accounts/login/")
        signed_in = browser.post(
            f"{base}/accounts/login/",
            data={"username": client_user.username, "password": PASSWORD,
                  "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
            headers={"Referer": f"{base}/accounts/login/"},
        )
        assert signed_in.status_code == 200 and signed_in.url == f"{base}/", signed_in.url
        assert browser.get(f"{base}{forbidden}").status_code == 403
    finally:
        stop(server)

    output = log.read_text()
    assert "Traceback" not in output and "PermissionDenied" not in output, output
    lines = [line for line in output.splitlines() if forbidden in line]
    assert len(lines) == 1 and lines[0].startswith("Forbidden"), output
