"""An editor writes and submits an article in /cms/, the unit's leader approves it, and it
appears on the portal under /tin-tuc/ and in the unit's posting activity."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from cchc.core import demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "Phường Hồng Ngự mở quầy hướng dẫn dịch vụ công trực tuyến"


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("CCHC_E2E_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def demo_portal(settings):
    from cchc.news import demo as news_demo

    settings.ROOT_URLCONF = "tests.news.urls"  # with /hoat-dong-dang-tin/ mounted
    demo.load()
    news_demo.load()


def login(page, base, username, next_url):
    page.goto(f"{base}/dang-nhap/?next={next_url}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(re.escape(next_url)))


def test_editor_submits_leader_approves_article_is_published(live_server, browser, demo_portal,
                                                             shots):
    from cchc.news.models import ArticlePage, UnitSectionPage

    base = live_server.url
    section = UnitSectionPage.objects.get(unit__era="2025", unit__name="Phường Hồng Ngự")

    def new_page():
        context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                      viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        return context, page, errors

    # The commune's editor writes the article and submits it for moderation.
    context, page, errors = new_page()
    login(page, base, "bientap.xa", "/cms/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.screenshot(path=str(shots / "news-1-cms-dashboard.png"))
    page.goto(f"{base}/cms/pages/add/news/articlepage/{section.pk}/")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_summary").fill(
        "Phường bố trí quầy và công chức hướng dẫn người dân nộp hồ sơ trực tuyến.")
    page.locator("#id_category").select_option(label="Chuyển đổi số")
    page.get_by_role("button", name="Chèn khối nội dung").first.click()
    page.get_by_role("option", name="Đoạn văn").click()
    editor = page.locator(".Draftail-Editor [contenteditable=true]").first
    editor.click()
    editor.type("Quầy mở vào giờ hành chính và sáng thứ Bảy. Người dân được hỗ trợ tạo tài "
                "khoản và theo dõi hồ sơ trên điện thoại.")
    # Draftail writes its content into the form's hidden input on a timer, not per keystroke:
    # submitting before that would save an empty paragraph (seen on a fast, idle machine).
    page.wait_for_function("""() => [...document.querySelectorAll('input[type=hidden]')]
        .some(input => input.value.includes('theo dõi hồ sơ trên điện thoại'))""")
    page.locator("#id_author").fill("Bích Trâm")
    page.locator("#id_photo_credit").fill("Thanh Sơn")
    page.screenshot(path=str(shots / "news-2-cms-editor.png"), full_page=True)
    page.get_by_role("button", name="Thao tác khác").click()
    page.get_by_role("button", name="Gửi duyệt").click()
    page.wait_for_load_state()
    problems = [e.inner_text() for e in page.locator(".error-message, .help-critical").all()]
    assert not problems, problems
    expect(page.locator(".messages")).to_contain_text("gửi duyệt")
    page.screenshot(path=str(shots / "news-3-cms-submitted.png"))
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()

    article = ArticlePage.objects.get(title=TITLE)
    assert not article.live and article.workflow_in_progress

    # The commune's leader approves it.
    context, page, errors = new_page()
    login(page, base, "lanhdao.xa", "/cms/")
    expect(page.get_by_text(TITLE).first).to_be_visible()  # "Chờ bạn duyệt"
    page.goto(f"{base}/cms/pages/{article.pk}/edit/")
    # The body is serialised by the rich-text editor's script: approving before it has loaded
    # (a slow machine) would post an empty body.
    page.wait_for_load_state("networkidle")
    expect(page.locator(".Draftail-Editor [contenteditable=true]").first).to_contain_text(
        "Quầy mở vào giờ hành chính")
    page.get_by_role("button", name="Thao tác khác").click()
    page.get_by_role("button", name="Duyệt và đăng").click()
    page.wait_for_load_state()
    problems = [e.inner_text() for e in page.locator(".error-message, .help-critical").all()]
    assert not problems, problems
    expect(page.locator(".messages")).to_contain_text(TITLE)
    page.screenshot(path=str(shots / "news-4-cms-approved.png"))
    context.close()

    article.refresh_from_db()
    assert article.live and article.unit.name == "Phường Hồng Ngự"

    # It is on the portal, for anyone.
    context, page, errors = new_page()
    page.goto(f"{base}/tin-tuc/")
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".article__credits")).to_have_text("BT: Bích Trâm + Ảnh: Thanh Sơn")
    page.screenshot(path=str(shots / "news-5-portal-article.png"), full_page=True)
    page.goto(f"{base}/tin-tuc/tim-kiem/?q=quay+huong+dan+dich+vu+cong")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors
    context.close()

    # And in the unit's posting activity, for Home Affairs.
    context, page, errors = new_page()
    login(page, base, "noivu.tinh", "/hoat-dong-dang-tin/")
    page.goto(f"{base}/hoat-dong-dang-tin/?unit={section.unit.key}")
    row = page.locator(f"tr[data-unit='{section.unit.key}']")
    expect(row).to_contain_text("Phường Hồng Ngự")
    days = row.locator("td.days-since")
    expect(days).to_have_text("0")
    page.screenshot(path=str(shots / "news-6-activity.png"), full_page=True)
    context.close()
