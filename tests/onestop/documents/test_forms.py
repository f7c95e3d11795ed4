"""Forms 01-06 rendered from dossiers in the state each form belongs to (RULES.md §4)."""

import pytest
import segno
from django.test import RequestFactory

from cchc.onestop import documents, services
from cchc.onestop.documents import FormNotApplicable, date_words, days_text, form_html, render_form
from tests.onestop.conftest import APPLICANT, at

from .pdftext import assert_in_pdf, pdf_text

pytestmark = pytest.mark.django_db

CODE = "000.10.50.H20-260424-0001"
HEADER = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def walk(dossier, world, when):
    services.transfer_dossier(dossier, actor=world.desk_officer, at=at(when))
    services.transfer_dossier(dossier, actor=world.specialist, at=at(when))
    return services.approve_dossier(dossier, actor=world.leader, result="Đã cấp", at=at(when))


def test_date_line_and_days_follow_the_decree():
    import datetime

    assert date_words(datetime.date(2026, 4, 24)) == "ngày 24 tháng 4 năm 2026"
    assert date_words(datetime.date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert date_words(datetime.date(2026, 12, 1)) == "ngày 01 tháng 12 năm 2026"
    assert days_text("5.0") == "5 ngày làm việc"
    assert days_text("0.5") == "0,5 ngày làm việc"
    assert days_text(0) == "Trong ngày"


def test_form_01_receipt(receive, world, components):
    dossier = receive("2026-04-24 09:00", sets=2)
    request = RequestFactory().get("/")
    text = pdf_text(render_form(dossier, "01", request=request))
    assert_in_pdf(
        text,
        *HEADER,
        "ỦY BAN NHÂN DÂN PHƯỜNG HỒNG NGỰ",
        "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ PHƯỜNG HỒNG NGỰ",
        "Số: 260424-0001/TNHS",
        "Đồng Tháp, ngày 24 tháng 4 năm 2026",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {CODE}",
        "Tiếp nhận hồ sơ của: Nguyễn Văn An",
        "Địa chỉ: Phường Hồng Ngự, Đồng Tháp",
        "0912345678", "an@example.org",
        "Đăng ký kết hôn có yếu tố nước ngoài",
        "Tờ khai đăng ký kết hôn", "Giấy xác nhận tình trạng hôn nhân",
        "Hộ chiếu của người nước ngoài",
        "Số lượng hồ sơ: 2 (bộ)",
        "5 ngày làm việc",
        "Thời gian nhận hồ sơ: 09:00 24/04/2026",
        "Thời gian trả kết quả giải quyết hồ sơ: 09:00 06/05/2026",
        "Đăng ký nhận kết quả tại: Bộ phận Tiếp nhận và Trả kết quả Phường Hồng Ngự",
        "Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: 260424-0001",
        "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Motcua",
        f"http://testserver/mot-cua/tra-cuu/?ma={CODE}",
    )


def test_form_01_qr_holds_the_absolute_lookup_address(receive, world):
    dossier = receive("2026-04-24 09:00")
    request = RequestFactory().get("/", HTTP_HOST="localhost:8000")
    html = form_html(dossier, "01", request=request)
    url = f"http://localhost:8000/mot-cua/tra-cuu/?ma={CODE}"
    assert f'href="{url}"' in html
    # The QR drawn is exactly segno's encoding of that address.
    assert segno.make(url, error="m").svg_inline(scale=1, border=0, omitsize=True) in html
    # Without a request there is no host: the code itself is encoded.
    assert segno.make(CODE, error="m").svg_inline(scale=1, border=0, omitsize=True) in form_html(
        dossier, "01")


def test_form_01_of_an_online_dossier_names_who_accepted_it(world):
    dossier = services.submit_online(agency=world.desk, procedure=world.five_days,
                                     applicant=APPLICANT, at=at("2026-04-25 20:00"))
    with pytest.raises(FormNotApplicable):
        form_html(dossier, "01")
    services.accept_dossier(dossier, actor=world.desk_officer, at=at("2026-04-28 08:00"))
    dossier.refresh_from_db()
    html = form_html(dossier, "01")
    assert "08:00 28/04/2026" in html and "Motcua" in html
    assert "Theo thành phần hồ sơ của thủ tục" in html  # no components published


def test_form_02_supplement_request(receive, world):
    dossier = receive("2026-04-24 09:00")
    services.transfer_dossier(dossier, actor=world.desk_officer, at=at("2026-04-24 09:30"))
    services.request_supplement(
        dossier, actor=world.specialist, reason="Giấy xác nhận đã hết hạn sử dụng",
        documents=["Giấy xác nhận tình trạng hôn nhân còn hạn", "Bản dịch hộ chiếu có chứng thực"],
        at=at("2026-04-28 09:15"))
    dossier.refresh_from_db()
    text = pdf_text(render_form(dossier, "02"))
    assert_in_pdf(
        text,
        *HEADER,
        "ỦY BAN NHÂN DÂN PHƯỜNG HỒNG NGỰ",  # the specialist's agency held the dossier
        "Số: 260424-0001/BSHS", "Đồng Tháp, ngày 28 tháng 4 năm 2026",
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", CODE, "Hồ sơ của: Nguyễn Văn An",
        "Giấy xác nhận tình trạng hôn nhân còn hạn", "Bản dịch hộ chiếu có chứng thực",
        "Lý do: Giấy xác nhận đã hết hạn sử dụng", "NGƯỜI HƯỚNG DẪN", "Chuyenvien",
    )
    # Still printable after the documents came in (it is part of the dossier's history).
    services.receive_supplement(dossier, actor=world.desk_officer, at=at("2026-04-29 09:00"))
    dossier.refresh_from_db()
    assert "Bản dịch hộ chiếu có chứng thực" in form_html(dossier, "02")


def test_form_03_refusal(world):
    dossier = services.submit_online(agency=world.desk, procedure=world.five_days,
                                     applicant=APPLICANT, at=at("2026-04-25 20:00"))
    services.refuse_dossier(dossier, actor=world.desk_officer,
                            reason="Yêu cầu không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường",
                            at=at("2026-04-28 08:10"))
    dossier.refresh_from_db()
    text = pdf_text(render_form(dossier, "03"))
    assert_in_pdf(
        text,
        *HEADER, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "Số: 260425-0001/TCHS",
        "Đồng Tháp, ngày 28 tháng 4 năm 2026", "Nguyễn Văn An", "20:00 25/04/2026",
        "từ chối tiếp nhận, giải quyết hồ sơ này",
        "Yêu cầu không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường", "Motcua",
    )
    for number in ("01", "02", "04", "05", "06"):
        with pytest.raises(FormNotApplicable):
            form_html(dossier, number)


def test_form_04_apology(receive, world):
    dossier = receive("2026-04-24 09:00")
    services.issue_apology(dossier, actor=world.leader, reason="Chờ kết quả xác minh của cơ quan công an",
                           new_due_at="2026-05-12T16:00", at=at("2026-05-04 09:00"))
    dossier.refresh_from_db()
    text = pdf_text(render_form(dossier, "04"))
    assert_in_pdf(
        text,
        *HEADER, "ỦY BAN NHÂN DÂN PHƯỜNG HỒNG NGỰ", "Đồng Tháp, ngày 04 tháng 5 năm 2026",
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "Kính gửi: Ông/Bà Nguyễn Văn An", "Ngày 24/04/2026", CODE,
        "Thời hạn giải quyết hồ sơ theo quy định: 09:00 06/05/2026",
        "Lý do: Chờ kết quả xác minh của cơ quan công an", "16:00 12/05/2026",
        "THỦ TRƯỞNG CƠ QUAN", "Nơi nhận:", "Lưu: VT.",
        "Bộ phận Tiếp nhận và Trả kết quả Phường Hồng Ngự",
    )
    # The receipt keeps its promised date and shows the new one beside it.
    receipt = form_html(dossier, "01")
    assert "09:00 06/05/2026" in receipt and "hẹn lại 16:00 12/05/2026" in receipt


def test_form_05_stop_notice(receive, world):
    dossier = receive("2026-04-24 09:00")
    services.transfer_dossier(dossier, actor=world.desk_officer, at=at("2026-04-24 09:30"))
    services.stop_processing(dossier, actor=world.leader, reason="Người yêu cầu đã chết trước ngày đăng ký",
                             at=at("2026-04-29 10:00"))
    dossier.refresh_from_db()
    text = pdf_text(render_form(dossier, "05"))
    assert_in_pdf(
        text,
        *HEADER, "THÔNG BÁO", "Về việc dừng giải quyết hồ sơ", "Đồng Tháp, ngày 29 tháng 4 năm 2026",
        "Kính gửi: Ông/Bà Nguyễn Văn An", CODE, "dừng giải quyết hồ sơ nêu trên kể từ 10:00 29/04/2026",
        "Lý do: Người yêu cầu đã chết trước ngày đăng ký", "THỦ TRƯỞNG CƠ QUAN",
    )


def test_form_06_control_sheet(receive, world):
    dossier = receive("2026-04-24 09:00")
    services.transfer_dossier(dossier, actor=world.desk_officer, note="Đủ hồ sơ",
                              at=at("2026-04-24 10:00"))
    services.transfer_dossier(dossier, actor=world.specialist, at=at("2026-05-05 16:00"))
    services.approve_dossier(dossier, actor=world.leader, at=at("2026-05-06 08:30"))
    services.return_result(dossier, actor=world.desk_officer, at=at("2026-05-06 10:00"))
    dossier.refresh_from_db()
    rows = documents.control_rows(dossier)
    assert [(r.agency, r.received, r.handed, r.result) for r in rows] == [
        ("Bộ phận Tiếp nhận và Trả kết quả Phường Hồng Ngự", "09:00 24/04/2026", "10:00 24/04/2026",
         "Đúng hạn"),
        ("Ủy ban nhân dân Phường Hồng Ngự", "10:00 24/04/2026", "16:00 05/05/2026", "Quá hạn"),
        ("Ủy ban nhân dân Phường Hồng Ngự", "16:00 05/05/2026", "08:30 06/05/2026", "Đúng hạn"),
        ("Bộ phận Tiếp nhận và Trả kết quả Phường Hồng Ngự", "08:30 06/05/2026", "10:00 06/05/2026",
         "Đúng hạn"),
    ]
    assert (rows[0].receiver, rows[0].giver, rows[0].note) == ("Motcua", "Motcua", "Đủ hồ sơ")
    assert rows[1].giver == "Chuyenvien" and rows[2].giver == "Lanhdao"
    text = pdf_text(render_form(dossier, "06"))
    assert_in_pdf(
        text,
        *HEADER, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", CODE, "Nguyễn Văn An",
        "Cơ quan (bộ phận) giải quyết hồ sơ: Ủy ban nhân dân Phường Hồng Ngự",
        "Thẩm định, đề xuất", "Phê duyệt", "Đúng hạn", "Quá hạn", "Chuyenvien", "Lanhdao",
        "đã trả kết quả: 10:00 06/05/2026",
    )


def test_forms_that_do_not_apply_say_so(receive, world):
    dossier = receive("2026-04-24 09:00")
    assert [number for number, _title in documents.available_forms(dossier)] == ["01", "06"]
    for number in ("02", "03", "04", "05"):
        with pytest.raises(FormNotApplicable) as excinfo:
            form_html(dossier, number)
        assert CODE in str(excinfo.value.message)
    services.request_supplement(dossier, actor=world.desk_officer, reason="Thiếu",
                                at=at("2026-04-24 10:00"))
    services.stop_processing(dossier, actor=world.leader, reason="Rút", at=at("2026-04-24 11:00"))
    dossier.refresh_from_db()
    assert [number for number, _title in documents.available_forms(dossier)] == [
        "01", "02", "05", "06"]
    for number, _title in documents.available_forms(dossier):
        form_html(dossier, number)


def test_forms_are_vietnamese_when_english_is_active(world):
    """Forms 01-07 are official documents: rendered in Vietnamese whatever the page language."""
    from django.utils import translation

    from cchc.onestop.models import Channel

    dossier = services.submit_online(agency=world.desk, procedure=world.five_days,
                                     applicant=APPLICANT, at=at("2026-04-25 20:00"))
    services.refuse_dossier(dossier, actor=world.desk_officer, reason="Không thuộc thẩm quyền",
                            at=at("2026-04-28 08:10"))
    dossier.refresh_from_db()
    with translation.override("en"):
        english = str(Channel.ONLINE.label)
        text = pdf_text(render_form(dossier, "03"))
        assert translation.get_language() == "en"
    assert english.lower() != "trực tuyến"
    assert_in_pdf(text, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "(trực tuyến)")
    assert english.lower() not in text
