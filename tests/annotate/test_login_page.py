"""The sign-in page after a failed attempt: the username stays, the password goes."""

import pytest

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_a_failed_sign_in_keeps_the_username_and_not_the_password(client):
    make_user("tashi")
    html = client.post("/accounts/login/", {"username": "tashi", "password": "wrong-one"}).content.decode()
    assert "Wrong username or password." in html
    assert 'value="tashi"' in html and "wrong-one" not in html
    # The password field has the focus now, so the next try is just typing it.
    password_input = html.split('name="password"')[1].split(">")[0]
    assert "autofocus" in password_input


def test_the_username_value_is_escaped(client):
    html = client.post("/accounts/login/", {"username": '"><script>x</script>', "password": "p"}).content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html
