"""The editors' admin at /cms/: Vietnamese, and under a policy it can run with."""

import json
import re

import pytest

pytestmark = pytest.mark.django_db


def test_dashboard_menu_is_vietnamese(client, portal):
    client.force_login(portal["users"]["editor_a"])
    response = client.get("/cms/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    text = response.content.decode()
    props = re.search(r'id="wagtail-sidebar-props" type="application/json">(.*?)</script>', text, re.S)
    labels = set(re.findall(r'"label": "((?:[^"\\]|\\.)*)"', props.group(1)))
    labels = {json.loads(f'"{label}"') for label in labels}
    assert {"Trang", "Ảnh", "Tài liệu", "Báo cáo"} <= labels
    assert not labels & {"Pages", "Images", "Documents", "Reports", "Help"}
    assert "Trang biên tập" in text


def test_editing_screen_is_vietnamese(client, portal):
    client.force_login(portal["users"]["editor_a"])
    section = portal["sections"]["a"]
    text = client.get(f"/cms/pages/add/news/articlepage/{section.pk}/").content.decode()
    for label in ("Gửi duyệt", "Lưu bản nháp", "Nội dung", "Quảng bá", "Tóm tắt", "Chuyên mục"):
        assert label in text, label
    assert "Save draft" not in text and "Submit for moderation" not in text


def test_images_and_documents_screens_are_vietnamese(client, portal):
    client.force_login(portal["users"]["editor_a"])
    assert "Thêm nhiều ảnh" in client.get("/cms/images/").content.decode() or \
        "Thêm ảnh" in client.get("/cms/images/").content.decode()
    assert "Kéo thả tài liệu" in client.get("/cms/documents/multiple/add/").content.decode()


def test_admin_policy_is_relaxed_only_on_cms(client, portal):
    client.force_login(portal["users"]["editor_a"])
    policy = client.get("/cms/")["Content-Security-Policy"]
    assert "'unsafe-inline'" in policy and "frame-ancestors 'self'" in policy
    assert "https:" not in policy and "*" not in policy
    assert "'unsafe-inline'" not in client.get("/")["Content-Security-Policy"]


def test_js_catalog_has_the_missing_strings(client, portal):
    client.force_login(portal["users"]["editor_a"])
    text = client.get("/cms/jsi18n/").content.decode()
    assert "Ch\\u00e8n kh\\u1ed1i n\\u1ed9i dung" in text or "Chèn khối nội dung" in text


def test_other_users_cannot_enter_the_admin(client, portal):
    client.force_login(portal["users"]["desk_a"])
    response = client.get("/cms/")
    assert response.status_code == 302
