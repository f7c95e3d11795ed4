"""One CCHC inspection from plan to adopted report, in a real browser: the inspector lays
down the plan, starts the inspection (evidence is collected), accepts a suggested score,
records a limitation and a recommendation, finalises (evidence frozen), reopens as team
leader with a reason and finalises again (the earlier snapshot is kept), sees the per-area
chart, records the online conference and adopts; the report downloads as .docx."""

import pytest
from playwright.sync_api import expect

from cchc.org.models import AgencyKind, Era, Level, Role
from tests.factories import PASSWORD, AgencyFactory, MembershipFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def build():
    province = UnitFactory(era=Era.CURRENT, code="82", name="Đồng Tháp", level=Level.PROVINCE)
    commune = UnitFactory(era=Era.CURRENT, code="30280", name="Phường Hồng Ngự",
                          level=Level.COMMUNE, parent=province)
    desk = AgencyFactory(unit=commune, code="000.10.50.H20", kind=AgencyKind.RECEPTION_DESK,
                         name="Bộ phận Tiếp nhận và Trả kết quả Phường Hồng Ngự")
    MembershipFactory(user=UserFactory(username="motcua"), unit=commune, agency=desk,
                      role=Role.DESK_OFFICER)
    inspector = UserFactory(username="kiemtra", full_name="Trần Văn Minh")
    MembershipFactory(user=inspector, unit=province, role=Role.INSPECTOR)
    return inspector


def test_an_inspection_from_plan_to_adopted_report(live_server, browser):
    build()
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url
    page.goto(f"{base}/dang-nhap/?next=/kiem-tra/")
    page.get_by_label("Tên đăng nhập").fill("kiemtra")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    page.get_by_role("link", name="Lập kế hoạch kiểm tra").click()
    page.get_by_label("Năm").fill("2026")
    page.get_by_label("Tên kế hoạch").fill("Kế hoạch kiểm tra CCHC năm 2026")
    page.get_by_label("Số quyết định").fill("112/QĐ-SNV")
    page.get_by_label("Ngày quyết định").fill("2026-03-02")
    page.get_by_label("Kỳ kiểm tra từ").fill("2026-01-01")
    page.get_by_label("Kỳ kiểm tra đến").fill("2026-12-31")
    page.get_by_label("Đơn vị được kiểm tra").select_option(label="Phường Hồng Ngự")
    page.get_by_label("Trưởng đoàn", exact=True).fill("Trần Văn Minh")
    page.get_by_role("button", name="Lưu kế hoạch").click()
    expect(page.get_by_role("heading", name="Kế hoạch kiểm tra CCHC năm 2026")).to_be_visible()

    page.get_by_role("link", name="Phường Hồng Ngự").click()
    page.get_by_role("button", name="Bắt đầu kiểm tra").click()
    expect(page.locator("#status")).to_have_text("Đang kiểm tra")
    staffing = page.locator("section.card", has_text="Bố trí công chức")
    staffing.get_by_role("button", name="Chấm").click()
    expect(page.locator("section.card", has_text="Bố trí công chức")).to_contain_text(
        "Điểm chấm: 5")
    page.locator("#f-kind").select_option("limitation")
    page.locator("#f-text").fill("Chưa đăng tin CCHC thường xuyên")
    page.get_by_role("button", name="Thêm nhận xét").click()
    page.locator("#r-text").fill("Đăng tin CCHC tối thiểu 2 bài mỗi tháng")
    page.locator("#r-deadline").fill("2026-12-31")
    page.get_by_role("button", name="Thêm kiến nghị").click()
    expect(page.locator("#recommendations")).to_contain_text("tối thiểu 2 bài")
    page.get_by_role("button", name="Hoàn thành và chốt minh chứng").click()
    expect(page.locator("#status")).to_have_text("Đã hoàn thành (chốt minh chứng)")
    page.get_by_label("Lý do mở lại").fill("Đơn vị bổ sung minh chứng tin bài")
    page.get_by_role("button", name="Mở lại kết quả kiểm tra").click()
    expect(page.locator("#status")).to_have_text("Đang kiểm tra")
    expect(page.locator("#snapshots")).to_contain_text("Đơn vị bổ sung minh chứng tin bài")
    page.get_by_role("button", name="Hoàn thành và chốt minh chứng").click()
    expect(page.locator("#status")).to_have_text("Đã hoàn thành (chốt minh chứng)")
    expect(page.locator("#area-chart svg")).to_have_attribute("role", "img")
    expect(page.locator("#area-scores")).to_contain_text("Bộ phận Tiếp nhận và Trả kết quả")

    page.get_by_role("link", name="Kế hoạch kiểm tra CCHC năm 2026").click()
    page.get_by_label("Ngày họp").fill("2026-08-16")
    page.get_by_label("Chủ trì").fill("Giám đốc Sở Nội vụ")
    page.get_by_role("button", name="Lưu hội nghị").click()
    page.get_by_role("button", name="Thông qua kết quả").click()
    expect(page.locator("#ranking")).to_contain_text("Đã thông qua")

    page.get_by_role("link", name="Phường Hồng Ngự").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Báo cáo (.docx)").click()
    assert download.value.suggested_filename.endswith(".docx")
    context.close()
