"""The download addresses: login, scoping, 404 for forms that do not apply, 400 for bad input."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cchc.onestop import services
from cchc.onestop.documents import REGISTER_COLUMNS
from tests.onestop.conftest import APPLICANT, at

from .pdftext import assert_in_pdf, page_count, pdf_text

pytestmark = pytest.mark.django_db

CODE = "000.10.50.H20-260424-0001"


def form_url(code, number):
    return reverse("onestop:form", kwargs={"code": code, "number": number})


def register_url(agency_code, fmt, **query):
    url = reverse("onestop:register", kwargs={"agency_code": agency_code, "fmt": fmt})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_addresses():
    assert form_url(CODE, "01") == f"/mot-cua/ho-so/{CODE}/mau-01.pdf"
    assert register_url("000.10.50.H20", "xlsx") == "/mot-cua/so-theo-doi/000.10.50.H20.xlsx"


def test_anonymous_users_are_sent_to_the_login(client, receive):
    receive("2026-04-24 09:00")
    for url in (form_url(CODE, "01"), register_url("000.10.50.H20", "pdf")):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("core:login") in response["Location"]


def test_form_pdf_download(client, receive, world):
    receive("2026-04-24 09:00")
    client.force_login(world.desk_officer)
    response = client.get(form_url(CODE, "01"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="mau-01-{CODE}.pdf"'
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert_in_pdf(text, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
                  f"http://testserver/mot-cua/tra-cuu/?ma={CODE}")


def test_a_form_that_does_not_apply_is_a_404_in_vietnamese(client, receive, world):
    receive("2026-04-24 09:00")
    client.force_login(world.desk_officer)
    for number, words in (("03", "không bị từ chối tiếp nhận"), ("04", "không có văn bản xin lỗi"),
                          ("02", "không có yêu cầu bổ sung"), ("05", "không bị dừng giải quyết"),
                          ("07", "Không có mẫu số 07"), ("1", "Không có mẫu số 1")):
        response = client.get(form_url(CODE, number))
        assert response.status_code == 404, number
        assert words in response.content.decode(), number


def test_another_units_dossier_is_not_found(client, receive, world):
    receive("2026-04-24 09:00")
    client.force_login(world.outsider)
    response = client.get(form_url(CODE, "01"))
    assert response.status_code == 404
    assert f"Không tìm thấy hồ sơ {CODE}" in response.content.decode()
    assert client.get(form_url("000.10.50.H20-260424-9999", "01")).status_code == 404


@pytest.fixture
def april(receive, world):
    """Three dossiers received in April at the desk, one in May, one at another desk."""
    first = receive("2026-04-24 09:00")
    services.transfer_dossier(first, actor=world.desk_officer, at=at("2026-04-24 10:00"))
    services.transfer_dossier(first, actor=world.specialist, at=at("2026-04-28 16:00"))
    services.approve_dossier(first, actor=world.leader, at=at("2026-04-29 09:00"))
    services.return_result(first, actor=world.desk_officer, at=at("2026-05-04 08:00"))
    second = receive("2026-04-24 10:30", procedure=world.same_day)
    services.stop_processing(second, actor=world.leader, reason="Công dân rút yêu cầu",
                             at=at("2026-04-24 14:00"))
    receive("2026-04-01 07:30")
    receive("2026-05-04 08:00")
    services.receive_dossier(agency=world.other_desk, procedure=world.five_days, applicant=APPLICANT,
                             actor=world.outsider, at=at("2026-04-24 09:30"))
    services.submit_online(agency=world.desk, procedure=world.five_days, applicant=APPLICANT,
                           at=at("2026-04-25 20:00"))  # never received: not in the register
    return first


def test_register_xlsx(client, world, april):
    client.force_login(world.desk_officer)
    response = client.get(register_url("000.10.50.H20", "xlsx", tu="2026-04-01", den="2026-04-30"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="so-theo-doi-000.10.50.H20-20260401-20260430.xlsx"')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.freeze_panes == "A4"
    assert "SỔ THEO DÕI HỒ SƠ" in sheet["A1"].value
    assert "Từ ngày 01/04/2026 đến ngày 30/04/2026" in sheet["A2"].value
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0] == tuple(name for name, _width in REGISTER_COLUMNS)
    assert [row[1] for row in rows[1:]] == [
        "000.10.50.H20-260401-0001", CODE, "000.10.50.H20-260424-0002"]
    assert [row[0] for row in rows[1:]] == [1, 2, 3]
    returned = dict(zip(rows[0], rows[2], strict=True))
    assert returned["Tên thủ tục hành chính"] == "Đăng ký kết hôn có yếu tố nước ngoài"
    assert returned["Tên cá nhân, tổ chức"] == "Nguyễn Văn An"
    assert returned["Địa chỉ, số điện thoại"] == "Phường Hồng Ngự, Đồng Tháp; ĐT: 0912345678"
    assert returned["Cơ quan chủ trì giải quyết"] == "Ủy ban nhân dân Phường Hồng Ngự"
    # Real Excel date-times, in the province's local time.
    assert returned["Nhận hồ sơ"] == datetime.datetime(2026, 4, 24, 9, 0)
    assert returned["Hẹn trả kết quả"] == datetime.datetime(2026, 5, 6, 9, 0)
    assert returned["Chuyển hồ sơ đến cơ quan giải quyết"] == datetime.datetime(2026, 4, 24, 10, 0)
    assert returned["Nhận kết quả từ cơ quan giải quyết"] == datetime.datetime(2026, 4, 29, 9, 0)
    assert returned["Trả kết quả cho cá nhân, tổ chức"] == datetime.datetime(2026, 5, 4, 8, 0)
    assert sheet.cell(row=5, column=8).number_format == "dd/mm/yyyy hh:mm"
    stopped = dict(zip(rows[0], rows[3], strict=True))
    assert stopped["Trả kết quả cho cá nhân, tổ chức"] is None
    assert "Dừng xử lý" in stopped["Ghi chú"]
    assert sheet.column_dimensions["C"].width == 42


def test_register_pdf(client, world, april):
    client.force_login(world.desk_officer)
    response = client.get(register_url("000.10.50.H20", "pdf", tu="2026-04-01", den="2026-04-30"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert page_count(response.content) >= 1
    text = pdf_text(response.content)
    assert_in_pdf(text, "SỔ THEO DÕI HỒ SƠ", "Từ ngày 01/04/2026 đến ngày 30/04/2026",
                  "260424-0001", "260424-0002", "260401-0001", "Dừng xử lý", "Tổng số: 3 hồ sơ",
                  "09:00 24/04/2026", "08:00 04/05/2026")
    assert "260504-0001" not in text


def test_register_defaults_to_the_current_month(client, world):
    client.force_login(world.desk_officer)
    response = client.get(register_url("000.10.50.H20", "xlsx"))
    today = timezone.localdate()
    start = today.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    assert response.status_code == 200
    assert f"-{start:%Y%m%d}-{end:%Y%m%d}.xlsx" in response["Content-Disposition"]


@pytest.mark.parametrize(("fmt", "query", "words"), [
    ("csv", {}, "chọn pdf hoặc xlsx"),
    ("xlsx", {"tu": "2026-13-01"}, "không hợp lệ"),
    ("pdf", {"den": "hom-nay"}, "không hợp lệ"),
    ("xlsx", {"tu": "2026-05-01", "den": "2026-04-01"}, "phải trước hoặc bằng"),
])
def test_bad_register_requests_are_400(client, world, fmt, query, words):
    client.force_login(world.desk_officer)
    response = client.get(register_url("000.10.50.H20", fmt, **query))
    assert response.status_code == 400
    assert words in response.content.decode()


def test_register_of_another_unit_is_not_found(client, world, april):
    client.force_login(world.outsider)
    response = client.get(register_url("000.10.50.H20", "xlsx", tu="2026-04-01", den="2026-04-30"))
    assert response.status_code == 404
    assert "Không tìm thấy nơi tiếp nhận" in response.content.decode()
    assert client.get(register_url("000.11.50.H20", "xlsx")).status_code == 200


def test_a_register_too_long_for_a_pdf_points_to_the_xlsx(client, world, april, monkeypatch):
    from cchc.onestop import documents

    monkeypatch.setattr(documents, "REGISTER_PDF_MAX_ROWS", 2)
    client.force_login(world.desk_officer)
    response = client.get(register_url("000.10.50.H20", "pdf", tu="2026-04-01", den="2026-04-30"))
    assert response.status_code == 400
    assert "tải bản Excel" in response.content.decode()


def test_register_notes(world, receive):
    from cchc.onestop.documents import register_rows

    open_late = receive("2026-04-24 09:00")
    late = receive("2026-04-24 09:10")
    services.transfer_dossier(late, actor=world.desk_officer, at=at("2026-04-24 10:00"))
    services.transfer_dossier(late, actor=world.specialist, at=at("2026-05-06 10:00"))
    services.approve_dossier(late, actor=world.leader, at=at("2026-05-07 09:00"))
    online = services.submit_online(agency=world.desk, procedure=world.five_days,
                                    applicant=APPLICANT, at=at("2026-04-24 20:00"))
    services.accept_dossier(online, actor=world.desk_officer, at=at("2026-04-28 08:00"))
    notes = {row.code: row.note for row in register_rows(
        world.desk, datetime.date(2026, 4, 1), datetime.date(2026, 4, 30),
        now=at("2026-05-06 12:00"), chunk_size=1)}
    assert notes == {open_late.code: "Quá hạn", late.code: "Trễ hạn",
                     online.code: "Nộp trực tuyến"}
    early = {row.code: row.note for row in register_rows(
        world.desk, datetime.date(2026, 4, 1), datetime.date(2026, 4, 30),
        now=at("2026-04-28 09:00"))}
    assert early[open_late.code] == ""
