import pytest

from tests.factories import PASSWORD, api_client, make_user

pytestmark = pytest.mark.django_db


def test_token_for_right_password_authenticates_later_calls(annotator):
    response = api_client().post("/api/v1/auth/token/", {"username": "annotator", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    me = api_client().get("/api/v1/users/me/", HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert me.status_code == 200
    assert me.json()["username"] == "annotator"
    assert me.json()["projects"][0]["role"] == "annotator"


def test_token_refused_for_wrong_password_in_error_shape(annotator):
    response = api_client().post("/api/v1/auth/token/", {"username": "annotator", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Wrong username or password.", "code": "invalid_credentials"}


def test_token_request_with_unknown_field_is_refused(annotator):
    response = api_client().post(
        "/api/v1/auth/token/", {"username": "annotator", "password": PASSWORD, "admin": True}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unknown_field" and "admin" in body["errors"]


def test_a_forged_token_or_one_of_a_deactivated_user_gets_401(annotator):
    # A made-up key of the right length, and SQL in the header, match no token.
    for key in ("0" * 40, "x' OR '1'='1"):
        response = api_client().get("/api/v1/users/me/", HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 401 and response.json()["code"] == "authentication_failed"
    client = api_client(annotator)
    assert client.get("/api/v1/users/me/").json()["username"] == "annotator"
    annotator.is_active = False
    annotator.save(update_fields=["is_active"])
    response = client.get("/api/v1/users/me/")
    assert response.status_code == 401 and "inactive" in response.json()["detail"]


def test_anonymous_gets_401_json_not_html():
    response = api_client().get("/api/v1/users/me/")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_authenticated"


def test_unknown_api_path_is_json_404():
    response = api_client().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_admin_creates_user_who_can_then_sign_in(admin_user):
    response = api_client(admin_user).post(
        "/api/v1/users/", {"username": "newbie", "password": "yak-herder-2026!", "email": "n@example.org"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["username"] == "newbie"
    token = api_client().post("/api/v1/auth/token/", {"username": "newbie", "password": "yak-herder-2026!"}, format="json")
    assert token.status_code == 200


@pytest.mark.parametrize("fixture", ["annotator", "supervisor", "client_user"])
def test_non_admins_cannot_create_users(fixture, request):
    user = request.getfixturevalue(fixture)
    response = api_client(user).post("/api/v1/users/", {"username": "sneaky", "password": "yak-herder-2026!"}, format="json")
    assert response.status_code == 403
    assert not type(user).objects.filter(username="sneaky").exists()


def test_user_creation_refuses_weak_password_and_duplicate(admin_user):
    client = api_client(admin_user)
    weak = client.post("/api/v1/users/", {"username": "weak", "password": "123"}, format="json")
    assert weak.status_code == 400 and weak.json()["code"] == "weak_password"
    make_user("taken")
    dup = client.post("/api/v1/users/", {"username": "taken", "password": "yak-herder-2026!"}, format="json")
    assert dup.status_code == 409 and dup.json()["code"] == "username_taken"


def test_session_login_page_signs_in(client, annotator):
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and b'name="username"' in page.content and b'name="password"' in page.content
    response = client.post("/accounts/login/", {"username": "annotator", "password": PASSWORD})
    assert response.status_code == 302
    home = client.get("/")
    assert b"Qinghai Lake survey" in home.content


def test_home_needs_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
