import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from cchc.org.models import Role
from tests.factories import PASSWORD, MembershipFactory, small_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    t = small_tree()
    return MembershipFactory(unit=t["a"], role=Role.DESK_OFFICER).user


def test_login_page_is_vietnamese(client):
    response = client.get(reverse("core:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="vi"' in html
    assert "Tên đăng nhập" in html and "Mật khẩu" in html


def test_login_then_home_shows_the_roles_work(client, officer):
    response = client.post(
        reverse("core:login"), {"username": officer.username, "password": PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Xin chào, {officer.full_name}" in html
    assert "Tiếp nhận và trả kết quả" in html
    # A desk officer is not shown the inspector's or the system administrator's work.
    assert "Kiểm tra cải cách hành chính" not in html
    assert "Quản trị hệ thống" not in html


def test_wrong_password_gives_a_vietnamese_error(client, officer):
    response = client.post(reverse("core:login"), {"username": officer.username, "password": "sai"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_after_repeated_failures_even_with_the_right_password(client, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("core:login"), {"username": officer.username, "password": "sai"})
    response = client.post(
        reverse("core:login"), {"username": officer.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "tạm khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_needs_post_and_ends_the_session(client, officer):
    client.force_login(officer)
    assert client.get(reverse("core:logout")).status_code == 405
    client.post(reverse("core:logout"))
    assert "_auth_user_id" not in client.session


def test_unassigned_user_is_told_so(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    html = client.get("/").content.decode()
    assert "chưa được phân công" in html


def test_anonymous_home_is_for_citizens(client):
    html = client.get("/").content.decode()
    assert "Dành cho công dân" in html and "Đăng nhập" in html


def test_token_auth(client, officer):
    url = "/api/v1/auth/token/"
    response = client.post(url, {"username": officer.username, "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=officer).key == token
    # The same token is returned again, and it authenticates API calls.
    again = client.post(url, {"username": officer.username, "password": PASSWORD},
                        content_type="application/json")
    assert again.json()["token"] == token


def test_token_auth_errors_are_machine_readable(client, officer):
    url = "/api/v1/auth/token/"
    bad = client.post(url, {"username": officer.username, "password": "sai"},
                      content_type="application/json")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_credentials"
    missing = client.post(url, {"username": officer.username}, content_type="application/json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "invalid" and "password" in missing.json()["errors"]
    garbage = client.post(url, "{not json", content_type="application/json")
    assert garbage.status_code == 400
    assert garbage.json()["code"] == "parse_error"


def test_token_auth_is_locked_out_too(client, officer, settings):
    url = "/api/v1/auth/token/"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": officer.username, "password": "sai"},
                    content_type="application/json")
    response = client.post(url, {"username": officer.username, "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
