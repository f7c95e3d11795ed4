"""A Home Affairs administrator opens the dashboard (server-rendered SVG charts), the
timeliness report, and drills down from one number to the dossiers behind it."""

import os
import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.onestop.conftest import world  # noqa: F401
from tests.reports.conftest import rw  # noqa: F401
from tests.reports.oracle import period_ends, play
from tests.reports.test_pages_api import rate_the_returned
from tests.reports.test_timeliness import PERIODS, scenarios

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DIR = os.environ.get("CCHC_SCREENSHOTS", "")


def test_home_affairs_reads_the_dashboard_and_drills_down(live_server, page, rw):  # noqa: F811
    histories = scenarios(rw)
    play(histories, period_ends(PERIODS))
    rate_the_returned(histories)
    page.goto(live_server.url + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(rw.home_affairs.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    page.goto(live_server.url + "/bao-cao/?tu_ngay=2026-04-01&den_ngay=2026-05-31")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tổng quan cải cách hành chính")
    charts = page.locator("svg.chart")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 4
    expect(page.get_by_role("img", name="Tỷ lệ hồ sơ giải quyết đúng hạn theo tháng")).to_be_visible()
    assert page.locator("svg.chart polyline").count() >= 1
    assert page.locator("svg.chart rect[fill='#1e4e8c']").count() >= 2
    # Nothing is fetched from outside this server.
    assert all(r.startswith(live_server.url) for r in page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name)"))
    if SCREENSHOT_DIR:
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, "reports-dashboard.png"), full_page=True)

    page.get_by_role("link", name="Báo cáo chi tiết theo đơn vị").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Báo cáo tình hình, kết quả giải quyết thủ tục hành chính")
    table = page.locator("table.report")
    expect(table.get_by_role("columnheader", name="Số hồ sơ đã giải quyết")).to_be_visible()
    row = table.locator("tr", has=page.get_by_role("rowheader", name="Phường Hồng Ngự"))
    overdue = row.locator("td.num a").last  # the last column: pending, overdue
    number = int(overdue.inner_text())
    assert number > 0
    if SCREENSHOT_DIR:
        page.screenshot(path=os.path.join(SCREENSHOT_DIR, "reports-timeliness.png"), full_page=True)
    overdue.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đang giải quyết quá hạn")
    expect(page.get_by_text(re.compile(rf"^{number} hồ sơ, kỳ từ 01/04/2026 đến 31/05/2026"))).to_be_visible()
    codes = page.locator("main table tbody tr td:first-child a")
    assert codes.count() == number
    assert all(re.fullmatch(r"000\.10\.50\.H20-\d{6}-\d{4}", c) for c in codes.all_inner_texts())
