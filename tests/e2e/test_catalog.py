"""The demo catalog in a real browser: searched without diacritics, then a procedure opened."""

import pytest
from playwright.sync_api import expect

from cchc.catalog import demo
from tests.catalog.orgdata import build_dong_thap

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_search_without_diacritics_and_open_the_procedure(live_server, page):
    build_dong_thap()
    demo.load()
    page.goto(live_server.url + "/thu-tuc/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục hành chính")
    page.get_by_label("Tìm thủ tục").fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()

    link = page.get_by_role("link", name="Đăng ký khai sinh", exact=True)
    expect(link).to_be_visible()
    expect(page.get_by_role("link", name="Đăng ký kết hôn", exact=True)).to_have_count(0)
    link.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    components = page.locator("table.components")
    expect(components).to_contain_text("Tờ khai đăng ký khai sinh theo mẫu")
    expect(components).to_contain_text("Giấy chứng sinh")
    expect(page.get_by_role("link", name="Bản niêm yết (PDF)")).to_be_visible()

    # The version in force on an earlier date, from the history table.
    page.locator("#id_ngay").fill("2025-01-01")
    page.get_by_role("button", name="Xem phiên bản có hiệu lực vào ngày").click()
    expect(components).not_to_contain_text("Cơ sở dữ liệu quốc gia về dân cư")
    assert all(r.startswith(live_server.url) for r in page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name)"))
