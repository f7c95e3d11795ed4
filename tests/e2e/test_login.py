import re

import pytest
from playwright.sync_api import expect

from cchc.core import demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_demo_user_logs_in_and_sees_the_vietnamese_home_page(live_server, page):
    demo.load()
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator(".brand__name")).to_have_text("Tỉnh Đồng Tháp")
    page.get_by_role("link", name="Đăng nhập").first.click()

    page.get_by_label("Tên đăng nhập").fill("motcua.tinh")
    page.get_by_label("Mật khẩu").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Xin chào, Lê Thị Ngọc Ánh"))
    expect(page.get_by_role("heading", name="Tiếp nhận và trả kết quả")).to_be_visible()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    # No asset is fetched from outside this server.
    assert all(
        r.startswith(live_server.url) for r in page.evaluate(
            "performance.getEntriesByType('resource').map(e => e.name)")
    )

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("link", name="Đăng nhập").first).to_be_visible()


def test_wrong_password_shows_a_vietnamese_error(live_server, page):
    demo.load()
    page.goto(live_server.url + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("motcua.tinh")
    page.get_by_label("Mật khẩu").fill("khong-dung")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng")
