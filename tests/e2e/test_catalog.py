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


def test_catalog_admin_announces_an_amendment_without_javascript(live_server, browser):
    """Issue #3: the decision form works with JavaScript off (rows added by a round trip)."""
    from cchc.catalog.models import Procedure
    from cchc.org.models import Role
    from tests.factories import PASSWORD, MembershipFactory

    places = build_dong_thap()
    demo.load()
    MembershipFactory(user__username="noivu.tinh", unit=places["province"],
                      role=Role.HOME_AFFAIRS_ADMIN)
    context = browser.new_context(locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/dang-nhap/?next=/thu-tuc/quyet-dinh-cong-bo/")
    page.get_by_label("Tên đăng nhập").fill("noivu.tinh")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Ghi nhận quyết định công bố").click()
    page.get_by_role("button", name="Thêm dòng").click()
    expect(page.get_by_role("group", name="Thủ tục thứ 6")).to_be_visible()

    code = Procedure.objects.get(base_code="1.000894").code
    page.get_by_label("Số quyết định").fill("2001/QĐ-UBND")
    page.get_by_label("Ngày ban hành").fill("2026-11-20")
    page.locator("#id_effective_on").fill("2026-12-01")
    page.get_by_label("Người ký, cơ quan ban hành").fill("Chủ tịch Ủy ban nhân dân tỉnh Đồng Tháp")
    row = page.get_by_role("group", name="Thủ tục thứ 1")
    row.get_by_label("Nội dung công bố").select_option("amended")
    row.get_by_label("Mã thủ tục được sửa đổi, thay thế, bãi bỏ").fill(code)
    row.get_by_label("Thời hạn nộp trực tiếp (ngày làm việc)").fill("3")
    page.get_by_role("button", name="Ghi nhận quyết định").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Quyết định số 2001/QĐ-UBND")
    expect(page.get_by_text("Đã ghi nhận quyết định 2001/QĐ-UBND với 1 thủ tục.")).to_be_visible()
    expect(page.get_by_role("link", name=code)).to_be_visible()
    context.close()
