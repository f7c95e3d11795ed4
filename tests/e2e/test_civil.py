"""A birth from the desk to the extract PDF, in a real browser: the desk officer receives the
declaration on the civil-status form, the dossier goes through the one-stop steps (desk,
specialist, leader), the entry is written when it is processed, and the civil-status officer
downloads the extract. Set CCHC_SCREENSHOTS=<dir> to keep screenshots."""

import datetime
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cchc.civil.models import RegisterEntry
from cchc.onestop.models import Status
from tests.civil.conftest import build_world
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("CCHC_SCREENSHOTS")


def log_in(page, base_url, username, next_url="/"):
    page.goto(f"{base_url}/dang-nhap/?next={next_url}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def new_page(browser):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh",
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def shoot(page, name):
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def act(page, action, **fields):
    form = page.locator(f"#action-{action}")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    for label, value in fields.items():
        form.get_by_label(label).fill(value)
    form.locator("button[type=submit]").click()


def test_a_birth_from_the_desk_to_the_extract_pdf(live_server, browser, page):
    build_world()
    base = live_server.url
    born = timezone.localdate() - datetime.timedelta(days=12)

    # The desk officer receives the declaration on the civil-status form.
    log_in(page, base, "motcua", "/ho-tich/dang-ky/khai-sinh/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    page.get_by_label("Tiếp nhận hồ sơ tại bộ phận một cửa, ghi sổ khi xử lý xong").check()
    fields = {
        "child_full_name": "Nguyễn Thị Bảo Ngọc", "child_birth_date": born.isoformat(),
        "child_birth_place": "Bệnh viện Đa khoa khu vực Hồng Ngự, Đồng Tháp",
        "child_hometown": "Đồng Tháp",
        "father_full_name": "Nguyễn Văn Hùng", "father_birth_year": "1995",
        "father_residence": "Phường Hồng Ngự, Đồng Tháp", "father_id_number": "087095001234",
        "mother_full_name": "Trần Thị Lan", "mother_birth_year": "1997",
        "mother_residence": "Phường Hồng Ngự, Đồng Tháp", "mother_id_number": "087197004321",
        "declarant_full_name": "Nguyễn Văn Hùng", "declarant_id_number": "087095001234",
        "declarant_relationship": "Cha",
    }
    for name, value in fields.items():
        page.locator(f"#id_{name}").fill(value)
    page.locator("#id_child_sex").select_option("F")
    expect(page.locator("#id_child_ethnicity")).to_have_value("Kinh")
    shoot(page, "civil-birth-form")
    page.get_by_role("button", name="Đăng ký", exact=True).click()

    expect(page.locator(".message--success")).to_contain_text("Đã tiếp nhận hồ sơ")
    code = re.search(r"000\.10\.50\.H20-\d{6}-\d{4}", page.url).group(0)
    assert not RegisterEntry.objects.exists()

    # The one-stop steps: the desk hands it on, the specialist proposes, the leader approves.
    act(page, "transfer")
    expect(page.locator(".message--success")).to_contain_text("Chuyển bước tiếp theo")
    specialist = new_page(browser)
    log_in(specialist, base, "hotich", f"/mot-cua/ho-so/{code}/")
    act(specialist, "transfer")
    expect(specialist.locator(".message--success")).to_contain_text("Chuyển bước tiếp theo")
    leader = new_page(browser)
    log_in(leader, base, "lanhdao", f"/mot-cua/ho-so/{code}/")
    act(leader, "approve", **{"Kết quả giải quyết": "Cấp Giấy khai sinh"})
    expect(leader.locator(".dossier-head")).to_contain_text("Đã xử lý xong")
    leader.context.close()

    # The entry was written when the dossier was processed.
    entry = RegisterEntry.objects.get()
    assert (entry.dossier.code, entry.dossier.status, entry.number) == (code, Status.PROCESSED, 1)

    # The civil-status officer finds it and downloads the extract.
    specialist.goto(base + "/ho-tich/yeu-cau/")
    expect(specialist.locator("table")).to_contain_text(code)
    expect(specialist.locator("table")).to_contain_text("Đã ghi vào sổ")
    specialist.get_by_role("link", name="Xem mục trong sổ").click()
    expect(specialist.get_by_role("heading", level=1)).to_contain_text(
        f"Khai sinh — số 1, quyển số 01/{timezone.localdate().year}")
    expect(specialist.locator(".facts")).to_contain_text("087095001234")
    shoot(specialist, "civil-entry")
    with specialist.expect_download() as download_info:
        specialist.get_by_role("link", name="Tải trích lục (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == \
        f"trich-luc-khai-sinh-01-{timezone.localdate().year}-so-1.pdf"
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=pdf,
                              capture_output=True, check=True).stdout.decode()
        for expected in ("TRÍCH LỤC KHAI SINH", "NGUYỄN THỊ BẢO NGỌC", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA",
                         "Ủy ban nhân dân Phường Hồng Ngự"):
            assert expected in text, expected
    specialist.context.close()
