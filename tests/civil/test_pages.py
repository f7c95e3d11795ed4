"""The civil-status pages (/ho-tich/)."""

import datetime

import pytest
from django.utils import timezone

from cchc.civil.models import CivilRequest, MarginalNote, RegisterBook, RegisterEntry
from cchc.core.models import PersonalDataSearch
from cchc.onestop.models import Dossier
from tests.civil.conftest import birth, death


@pytest.fixture
def as_user(client):
    def _as(user):
        client.force_login(user)
        return client

    return _as


def form_data(data: dict, **extra) -> dict:
    """Nested registration input as the form's flat fields."""
    flat = {f"{group}_{key}": value for group, values in data.items() if isinstance(values, dict)
            for key, value in values.items()}
    return {**flat, **extra}


def recent(days=5) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


def test_pages_need_a_login(client, world):
    response = client.get("/ho-tich/")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_home_lists_the_books_of_the_year(as_user, world, register):
    register("birth", birth())
    register("birth", birth(), agency=world.other_desk, actor=world.outsider)
    page = as_user(world.officer).get("/ho-tich/?nam=2026")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Sổ đăng ký khai sinh" in text and "01/2026" in text
    assert "Xã Tân Hồng" not in text


def test_direct_registration_from_the_form(as_user, world):
    client = as_user(world.officer)
    assert client.get("/ho-tich/dang-ky/khai-sinh/").status_code == 200
    response = client.post("/ho-tich/dang-ky/khai-sinh/", form_data(
        birth(birth_date=recent()), mode="direct", agency=world.desk.pk))
    entry = RegisterEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ho-tich/muc/{entry.pk}/"
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "Nguyễn Thị Bảo Ngọc" in text and "087095001234" in text
    assert "Tải trích lục (PDF)" in text


def test_rule_errors_are_shown_on_the_form_and_nothing_is_written(as_user, world):
    client = as_user(world.officer)
    response = client.post("/ho-tich/dang-ky/ket-hon/", {
        "mode": "direct", "agency": world.desk.pk, "husband_full_name": "Lê Minh Tuấn",
        "husband_birth_date": "1998-05-20", "husband_ethnicity": "Kinh",
        "husband_nationality": "Việt Nam", "husband_residence": "Hồng Ngự",
        "husband_id_number": "087098002468", "wife_full_name": "Phạm Thị Thu Hà",
        "wife_birth_date": recent(17 * 365), "wife_ethnicity": "Kinh",
        "wife_nationality": "Việt Nam", "wife_residence": "Hồng Ngự",
        "wife_id_number": "087300013579"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "đủ 18 tuổi" in text and "Điều 8 Luật Hôn nhân và gia đình" in text
    assert not Dossier.objects.exists()


def test_the_desk_receives_and_is_sent_to_the_dossier(as_user, world):
    client = as_user(world.desk_officer)
    response = client.post("/ho-tich/dang-ky/khai-tu/", form_data(
        death(date=recent(2)), mode="desk", agency=world.desk.pk))
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/mot-cua/ho-so/{dossier.code}/"
    assert CivilRequest.objects.get().dossier == dossier and not RegisterEntry.objects.exists()
    listing = client.get("/ho-tich/yeu-cau/").content.decode()
    assert dossier.code in listing and "Chờ xử lý xong hồ sơ" in listing


def test_registration_needs_a_desk_of_the_users_units(as_user, world):
    assert as_user(world.inspector).get("/ho-tich/dang-ky/khai-sinh/").status_code == 403
    assert as_user(world.officer).get("/ho-tich/dang-ky/nhan-con-nuoi/").status_code == 404


def test_entry_page_masks_numbers_for_inspectors_and_hides_documents(as_user, world, register):
    entry = register("birth", birth(id_number="087326000123"))
    text = as_user(world.inspector).get(f"/ho-tich/muc/{entry.pk}/").content.decode()
    assert "0873******23" in text and "087326000123" not in text
    assert "Tải trích lục" not in text
    assert as_user(world.inspector).get(f"/ho-tich/muc/{entry.pk}/trich-luc.pdf").status_code == 403
    assert as_user(world.outsider).get(f"/ho-tich/muc/{entry.pk}/").status_code == 404


def test_extract_pdf_downloads(as_user, world, register):
    entry = register("birth", birth())
    response = as_user(world.officer).get(f"/ho-tich/muc/{entry.pk}/trich-luc.pdf?tai=1")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="trich-luc-khai-sinh-01-2026-so-1.pdf"')
    assert response.content.startswith(b"%PDF")
    certificate = as_user(world.officer).get(f"/ho-tich/muc/{entry.pk}/ban-chinh.pdf")
    assert certificate.status_code == 200


def test_notes_and_copies_from_the_entry_page(as_user, world, register):
    entry = register("birth", birth())
    client = as_user(world.officer)
    response = client.post(f"/ho-tich/muc/{entry.pk}/ghi-chu/", {
        "kind": "correction", "field": "child.full_name", "value": "Nguyễn Thị Bảo Ngân"})
    assert response.status_code == 302
    assert MarginalNote.objects.get().changes["full_name"]["new"] == "Nguyễn Thị Bảo Ngân"
    bad = client.post(f"/ho-tich/muc/{entry.pk}/ghi-chu/", {"kind": "addition",
                                                           "field": "child.ethnicity",
                                                           "value": "Hoa"})
    assert bad.status_code == 400 and "dùng cải chính" in bad.content.decode()
    copy = client.post(f"/ho-tich/muc/{entry.pk}/ban-sao/", {"applicant_name": "Trần Thị Lan",
                                                             "copies": 1})
    assert copy.status_code == 302
    page = client.get(f"/ho-tich/muc/{entry.pk}/").content.decode()
    assert "Nguyễn Thị Bảo Ngân" in page and "Bản sao trích lục đã cấp" in page


def test_search_page_is_audited(as_user, world, register):
    entry = register("birth", birth())
    client = as_user(world.officer)
    assert client.get("/ho-tich/tra-cuu/").status_code == 200
    assert not PersonalDataSearch.objects.exists()
    page = client.get("/ho-tich/tra-cuu/", {"name": "nguyen thi bao ngoc"})
    text = page.content.decode()
    assert page.status_code == 200 and f"/ho-tich/muc/{entry.pk}/" in text
    assert "1 kết quả" in text
    audit = PersonalDataSearch.objects.get()
    assert (audit.user, audit.params, audit.source) == (world.officer,
                                                        {"name": "nguyen thi bao ngoc"}, "civil.page")
    bad = client.get("/ho-tich/tra-cuu/", {"id_number": "123"})
    assert bad.status_code == 400 and "12 chữ số" in bad.content.decode()


def test_book_page_closing_and_evidence(as_user, world, register):
    register("birth", birth(birth_date="2025-12-01"), "2025-12-30 09:00")
    book = RegisterBook.objects.get()
    client = as_user(world.leader)
    text = client.get(f"/ho-tich/so/{book.pk}/").content.decode()
    assert "Liên tục, không thiếu số" in text and "Khóa sổ" in text
    response = client.post(f"/ho-tich/so/{book.pk}/khoa-so/", {})
    assert response.status_code == 302
    book.refresh_from_db()
    assert book.closed_by == world.leader and book.total_entries == 1
    evidence = client.get("/ho-tich/kiem-tra/?nam=2025").content.decode()
    assert "Không có số bị thiếu" in evidence and "Phường Hồng Ngự" in evidence
    stats = client.get("/ho-tich/thong-ke/?nam=2025").content.decode()
    assert "Phường Hồng Ngự" in stats and "Tổng cộng" in stats


def test_the_entry_of_a_dossier(as_user, world, register):
    entry = register("birth", birth())
    response = as_user(world.officer).get(f"/ho-tich/ho-so/{entry.dossier.code}/")
    assert response.status_code == 302 and response["Location"] == f"/ho-tich/muc/{entry.pk}/"
    assert as_user(world.outsider).get(f"/ho-tich/ho-so/{entry.dossier.code}/").status_code == 404
