"""Password guessing, from the attacker's side: token API, login form and admin login."""

import subprocess
import sys

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD, make_user
from tests.processes import child_env

TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def victim(db):
    return make_user("victim", is_staff=True)


def _token_guess(client, password, *, username="victim", **extra):
    return client.post(TOKEN, {"username": username, "password": password}, format="json", **extra)


def _form_guess(client, url, password, *, username="victim", **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_a_new_x_forwarded_for_per_guess_does_not_escape_the_token_throttle(victim, settings):
    settings.AXES_FAILURE_LIMIT = 1000  # the rate throttle on its own
    client = APIClient()
    statuses = [
        _token_guess(client, f"guess{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(1, 31)
    ]
    assert 429 in statuses[:11], statuses
    assert statuses.index(429) == 10
    right = _token_guess(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert right.status_code == 429


@pytest.mark.django_db
def test_behind_one_trusted_proxy_the_address_it_appended_is_the_client(victim, settings):
    settings.AXES_FAILURE_LIMIT = 1000
    settings.TRUSTED_PROXY_COUNT = 1
    client = APIClient()
    # The client forges a first entry; the proxy (REMOTE_ADDR) appends what it saw.
    forged = [
        _token_guess(client, "guess", HTTP_X_FORWARDED_FOR=f"10.9.{n}.1, 198.51.100.20", REMOTE_ADDR="10.0.0.2")
        for n in range(11)
    ]
    assert forged[-1].status_code == 429
    # Another client behind the same proxy has its own allowance.
    other = _token_guess(client, "guess", HTTP_X_FORWARDED_FOR="198.51.100.21", REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 400


@pytest.mark.django_db
def test_api_guessing_locks_the_account_with_429_in_the_error_shape(victim):
    client = APIClient()
    # Each guess from another socket address: only the per-account count can stop it.
    answers = [_token_guess(client, f"guess{n}", REMOTE_ADDR=f"192.0.2.{n}") for n in range(1, 11)]
    assert [a.status_code for a in answers[:9]] == [400] * 9
    locked = answers[9]
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out" and "try again" in locked.json()["detail"]
    assert int(locked["Retry-After"]) > 0
    # The right password from a fresh address is refused too: guessing cannot go on.
    right = _token_guess(client, PASSWORD, REMOTE_ADDR="192.0.2.200")
    assert right.status_code == 429 and right.json()["code"] == "locked_out"


@pytest.mark.django_db
def test_one_address_guessing_many_accounts_is_locked(victim):
    client = APIClient()
    answers = [_token_guess(client, "123456", username=f"someone{n}", REMOTE_ADDR="192.0.2.66") for n in range(10)]
    # The tenth failure from this address locks it (the rate throttle would only refuse an eleventh).
    assert answers[-1].status_code == 429 and answers[-1].json()["code"] == "locked_out"
    assert _token_guess(client, PASSWORD, REMOTE_ADDR="192.0.2.66").status_code == 429


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_form_guessing_is_stopped_with_a_readable_page(victim, url):
    client = Client()
    answers = [_form_guess(client, url, f"guess{n}") for n in range(10)]
    assert [a.status_code for a in answers[:9]] == [200] * 9  # the form again, with its error
    locked = answers[9]
    assert locked.status_code == 429
    assert locked["Content-Type"].startswith("text/html")
    assert b"Too many failed sign-in attempts" in locked.content
    right = _form_guess(client, url, PASSWORD)
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_all_surfaces_count_together(victim):
    for n in range(4):
        _token_guess(APIClient(), f"api{n}")
        _form_guess(Client(), "/accounts/login/", f"form{n}")
    _form_guess(Client(), "/admin/login/", "admin1")
    assert _form_guess(Client(), "/admin/login/", "admin2").status_code == 429


@pytest.mark.django_db
def test_an_administrator_unlocks_with_axes_reset_username(victim):
    client = Client()
    for n in range(10):
        _form_guess(client, "/accounts/login/", f"guess{n}")
    assert _form_guess(client, "/accounts/login/", PASSWORD).status_code == 429
    call_command("axes_reset_username", "victim")
    call_command("axes_reset_ip", "127.0.0.1")
    done = _form_guess(client, "/accounts/login/", PASSWORD)
    assert done.status_code == 302 and client.session["_auth_user_id"] == str(victim.pk)


@pytest.mark.django_db
def test_a_right_password_before_the_limit_signs_in(victim):
    client = Client()
    for n in range(5):
        _form_guess(client, "/accounts/login/", f"typo{n}")
    assert _form_guess(client, "/accounts/login/", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_signing_in_to_your_own_account_does_not_clear_guesses_at_another(victim):
    """An attacker with an account cannot reset their address's count between guesses."""
    make_user("attacker")
    client = Client()
    answers = []
    for n in range(10):
        answers.append(_form_guess(client, "/accounts/login/", f"guess{n}").status_code)
        if n % 3 == 2:
            _form_guess(Client(), "/accounts/login/", PASSWORD, username="attacker")
    assert 429 in answers


CHILD = """
import django; django.setup()
from django.test import Client
for n in range(5):
    r = Client().post("/accounts/login/", {"username": "victim", "password": f"child{n}"})
print(r.status_code)
"""


@pytest.mark.django_db(transaction=True)
def test_separate_processes_count_together(victim):
    """Each gunicorn worker is a process: the count lives in the database, not in one of them."""
    for n in range(5):
        assert _form_guess(Client(), "/accounts/login/", f"parent{n}").status_code == 200
    done = subprocess.run([sys.executable, "-c", CHILD], env=child_env(DEBUG="1", ALLOWED_HOSTS="testserver"),
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "429", done.stdout + done.stderr


@pytest.mark.parametrize(
    ("count", "proxies", "forwarded", "remote", "client"),
    [
        (0, [], "203.0.113.9", "198.51.100.1", "198.51.100.1"),  # no proxy: the header is a lie
        (1, [], "6.6.6.6, 203.0.113.9", "10.0.0.2", "203.0.113.9"),  # nginx appended the last entry
        (2, [], "6.6.6.6, 203.0.113.9, 10.0.0.3", "10.0.0.2", "203.0.113.9"),  # LB, then nginx
        (1, [], "", "10.0.0.2", "10.0.0.2"),  # no header at all
        (0, ["10.0.0.0/8"], "6.6.6.6, 203.0.113.9, 10.0.0.3", "10.0.0.2", "203.0.113.9"),
        (0, ["10.0.0.0/8"], "203.0.113.9", "198.51.100.1", "198.51.100.1"),  # peer not a proxy
    ],
)
def test_client_address_believes_only_trusted_proxies(settings, rf, count, proxies, forwarded, remote, client):
    from config.client_ip import client_address

    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_PROXIES = count, proxies
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert client_address(request) == client
