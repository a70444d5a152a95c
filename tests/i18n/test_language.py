"""Which language a request gets: the user's saved one, the switcher's cookie, the browser's."""

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import api_client, make_user

pytestmark = pytest.mark.django_db


def test_an_api_error_follows_accept_language_and_keeps_its_code(annotator):
    client = api_client(annotator)
    english = client.get("/api/v1/projects/999999999/")
    chinese = client.get("/api/v1/projects/999999999/", HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert english.status_code == chinese.status_code == 404
    assert english.json()["code"] == chinese.json()["code"] == "not_found"
    assert english.json()["detail"] != chinese.json()["detail"]
    assert "未找到" in chinese.json()["detail"]
    assert chinese["Content-Language"] == "zh-hans"


def test_a_browser_asking_for_zh_cn_gets_simplified_chinese():
    response = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "语言" in html  # the header's switcher
    assert response["Content-Language"] == "zh-hans"


def test_the_saved_language_applies_without_any_header(annotator):
    annotator.language = "zh-hans"
    annotator.save()
    response = api_client(annotator).get("/api/v1/projects/999999999/")
    assert response.json() == {"detail": response.json()["detail"], "code": "not_found"}
    assert "未找到" in response.json()["detail"]
    # ...and wins over the browser's header on pages.
    browser = Client()
    browser.force_login(annotator)
    page = browser.get("/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert '<html lang="zh-hans">' in page.content.decode()
    assert page.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_the_switcher_saves_the_choice_on_the_user(annotator):
    browser = Client()
    browser.force_login(annotator)
    response = browser.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    annotator.refresh_from_db()
    assert annotator.language == "zh-hans"
    # Another device, another browser: signing in brings the language along.
    other = Client()
    other.force_login(annotator)
    assert "退出登录" in other.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_switcher_refuses_an_unknown_language_and_saves_nothing(annotator):
    browser = Client()
    browser.force_login(annotator)
    browser.post("/i18n/setlang/", {"language": "xx-evil", "next": "/"})
    annotator.refresh_from_db()
    assert annotator.language == ""


def test_the_javascript_catalog_is_served_per_language_and_revalidates():
    client = Client()
    english = client.get("/i18n/js/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/i18n/js/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert english.status_code == chinese.status_code == 200
    assert english["Content-Type"].startswith("text/javascript")
    # The catalog escapes non-ASCII text (\uXXXX): look for the key and the escaped value.
    assert '"All changes saved": "\\u5168\\u90e8' in chinese.content.decode()
    assert "All changes saved" not in english.content.decode()
    again = client.get("/i18n/js/", HTTP_ACCEPT_LANGUAGE="zh-CN", HTTP_IF_NONE_MATCH=chinese["ETag"])
    assert again.status_code == 304


def test_every_page_loads_the_catalog_before_its_own_scripts(annotator):
    browser = Client()
    browser.force_login(annotator)
    html = browser.get("/").content.decode()
    assert html.index("<script") == html.index('<script src="/i18n/js/"')


def test_a_user_made_without_language_follows_the_browser():
    user = make_user()
    assert user.language == ""


def test_users_me_reads_and_saves_the_language(annotator):
    client = api_client(annotator)
    assert client.get("/api/v1/users/me/").json()["language"] == ""
    response = client.patch("/api/v1/users/me/", {"language": "zh-hans"}, format="json")
    assert response.status_code == 200 and response.json()["language"] == "zh-hans"
    annotator.refresh_from_db()
    assert annotator.language == "zh-hans"
    # From now on without any header, on any client:
    assert "未找到" in api_client(annotator).get("/api/v1/projects/999999999/").json()["detail"]
    back = client.patch("/api/v1/users/me/", {"language": ""}, format="json")
    assert back.json()["language"] == ""


def test_users_me_refuses_a_language_the_site_does_not_speak(annotator):
    client = api_client(annotator)
    response = client.patch("/api/v1/users/me/", {"language": "bo"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_choice"
    chinese_detail = str(response.json())
    english = client.patch("/api/v1/users/me/", {"language": "bo"}, format="json")
    assert english.json()["code"] == "invalid_choice"
    assert chinese_detail != str(english.json())
    annotator.refresh_from_db()
    assert annotator.language == ""


def test_a_service_refusal_is_chinese_with_the_same_code(project, supervisor, annotator):
    """A domain error raised deep in a service (skip without a reason) follows the language too."""
    from labeling.models import Lease
    from tests.factories import make_task

    make_task(project)
    client = api_client(annotator)
    task = client.post(f"/api/v1/projects/{project.pk}/tasks/next/").json()
    assert Lease.objects.filter(task_id=task["id"], annotator=annotator).exists()
    english = client.post(f"/api/v1/tasks/{task['id']}/skip/", {"reason": ""}, format="json")
    chinese = client.post(f"/api/v1/tasks/{task['id']}/skip/", {"reason": ""}, format="json",
                          HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert english.status_code == chinese.status_code == 400
    assert english.json()["code"] == chinese.json()["code"]
    assert english.json()["detail"] != chinese.json()["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese.json()["detail"])
