"""Citizens' pages: online submission, lookup (masked, throttled) and the rating."""

import pytest
from django.urls import reverse

from cchc.onestop import services
from cchc.onestop.models import Dossier, DossierDocument, Rating, Status
from tests.onestop.conftest import APPLICANT
from tests.onestop.pages.conftest import fake_pdf, pdf

pytestmark = pytest.mark.django_db

SUBMIT = "/mot-cua/nop-truc-tuyen/"
LOOKUP = "/mot-cua/tra-cuu/"


def test_the_urls_are_stable():
    assert reverse("onestop:submit") == SUBMIT
    assert reverse("onestop:lookup") == LOOKUP
    assert reverse("onestop:rate", args=["X"]) == "/mot-cua/tra-cuu/X/danh-gia/"


def returned(world, receive):
    dossier = receive()
    services.transfer_dossier(dossier, actor=world.desk_officer)
    services.transfer_dossier(dossier, actor=world.specialist)
    services.approve_dossier(dossier, actor=world.leader)
    services.return_result(dossier, actor=world.desk_officer)
    dossier.refresh_from_db()
    return dossier


# -- online submission ---------------------------------------------------------------------


def online_data(world, **overrides):
    data = {"procedure": world.five_days.code, "agency": world.desk.pk,
            "applicant_name": APPLICANT["name"], "applicant_phone": APPLICANT["phone"],
            "request": "Đăng ký kết hôn", "consent": "on", "documents": [pdf()]}
    data.update(overrides)
    return data


def test_online_search_lists_only_procedures_filed_online(client, world):
    html = client.get(SUBMIT, {"q": "dang ky"}).content.decode()
    assert "Đăng ký kết hôn có yếu tố nước ngoài" in html
    assert "Đăng ký khai sinh" not in html  # direct only


def test_a_procedure_without_online_filing_is_refused(client, world):
    response = client.get(SUBMIT, {"thu_tuc": world.same_day.code})
    assert response.status_code == 400
    assert "chưa được nộp trực tuyến" in response.content.decode()


def test_online_submission_gives_the_code(client, world):
    assert client.get(SUBMIT, {"thu_tuc": world.five_days.code}).status_code == 200
    response = client.post(SUBMIT, online_data(world))
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("onestop:submitted")
    dossier = Dossier.objects.get()
    assert dossier.status == Status.NEW and dossier.channel == 2
    assert DossierDocument.objects.get().dossier == dossier
    html = client.get(response["Location"]).content.decode()
    assert dossier.code in html
    assert f"{LOOKUP}?ma={dossier.code}" in html


def test_the_submitted_page_without_a_submission_goes_back(client, world):
    response = client.get(reverse("onestop:submitted"))
    assert response.status_code == 302 and response["Location"] == SUBMIT


@pytest.mark.parametrize(("overrides", "error"), [
    ({"documents": [pdf(), fake_pdf()]}, "không phải PDF, JPEG hoặc PNG"),
    ({"documents": []}, "bắt buộc"),
    ({"consent": ""}, "lời cam đoan"),
    ({"applicant_phone": ""}, "điện thoại hoặc thư điện tử"),
    ({"agency": ""}, "bắt buộc"),
    ({"applicant_id_number": "1"}, "12 chữ số"),
])
def test_online_submission_errors_create_nothing(client, world, overrides, error):
    response = client.post(SUBMIT, online_data(world, **overrides))
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Dossier.objects.exists() and not DossierDocument.objects.exists()


def test_online_submissions_are_throttled_per_address(client, world):
    for _ in range(10):
        assert client.post(SUBMIT, online_data(world, documents=[pdf()])).status_code == 302
    response = client.post(SUBMIT, online_data(world, documents=[pdf()]))
    assert response.status_code == 429
    assert Dossier.objects.count() == 10


# -- lookup ----------------------------------------------------------------------------------


def test_the_lookup_form(client, world):
    response = client.get(LOOKUP)
    assert response.status_code == 200
    assert 'name="ma"' in response.content.decode()


def test_lookup_shows_the_status_with_initials_only(client, world, receive):
    dossier = receive("2026-04-24 09:00")
    response = client.get(LOOKUP, {"ma": dossier.code})
    assert response.status_code == 200
    html = response.content.decode()
    assert dossier.code in html and "Được tiếp nhận" in html
    assert "N. V. A." in html
    assert "09:00 06/05/2026" in html
    for secret in (APPLICANT["name"], "Nguyễn", APPLICANT["id_number"], APPLICANT["phone"],
                   APPLICANT["address"], APPLICANT["email"]):
        assert secret not in html, secret


def test_lookup_accepts_lower_case_and_spaces(client, world, receive):
    dossier = receive()
    response = client.get(LOOKUP, {"ma": f"  {dossier.code.lower()} "})
    assert response.status_code == 200


@pytest.mark.parametrize("code", ["000.10.50.H20-260424-9999", "x" * 300, "'; select 1 --", "%00"])
def test_an_unknown_code_is_a_vietnamese_404(client, world, code):
    response = client.get(LOOKUP, {"ma": code})
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ có mã này" in response.content.decode()


def test_lookups_are_limited_per_minute(client, world, receive):
    dossier = receive()
    for _ in range(20):
        assert client.get(LOOKUP, {"ma": dossier.code}).status_code == 200
    response = client.get(LOOKUP, {"ma": dossier.code})
    assert response.status_code == 429
    assert response["Retry-After"]
    assert "Quá nhiều lượt tra cứu" in response.content.decode()
    # Another address is served.
    assert client.get(LOOKUP, {"ma": dossier.code}, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_guessing_codes_is_stopped_after_ten_misses(client, world, receive):
    dossier = receive()
    for n in range(10):
        assert client.get(LOOKUP, {"ma": f"000.10.50.H20-260424-{9000 + n}"}).status_code == 404
    assert client.get(LOOKUP, {"ma": dossier.code}).status_code == 429
    assert client.get(reverse("onestop:rate", args=[dossier.code])).status_code == 429


# -- rating ----------------------------------------------------------------------------------


def test_rating_before_the_result_is_returned_is_refused(client, world, receive):
    dossier = receive()
    response = client.get(reverse("onestop:rate", args=[dossier.code]))
    assert response.status_code == 200
    assert "Chỉ đánh giá được sau khi đã nhận kết quả" in response.content.decode()
    response = client.post(reverse("onestop:rate", args=[dossier.code]), {"level": "satisfied"})
    assert response.status_code == 409
    assert not Rating.objects.exists()


def test_rating_once_after_the_result(client, world, receive):
    dossier = returned(world, receive)
    html = client.get(LOOKUP, {"ma": dossier.code}).content.decode()
    url = reverse("onestop:rate", args=[dossier.code])
    assert url in html
    assert client.post(url, {"level": "excellent"}).status_code == 400
    response = client.post(url, {"level": "very_satisfied", "comment": "Nhanh, chu đáo"})
    assert response.status_code == 302
    assert Rating.objects.get().level == "very_satisfied"
    html = client.get(response["Location"]).content.decode()
    assert "Cảm ơn ông/bà đã đánh giá" in html
    assert url not in html
    response = client.post(url, {"level": "dissatisfied"})
    assert response.status_code == 409
    assert "đã được đánh giá" in response.content.decode()
    assert Rating.objects.get().level == "very_satisfied"


def test_rating_an_unknown_code_is_not_found(client, world):
    response = client.get(reverse("onestop:rate", args=["000.10.50.H20-260424-9999"]))
    assert response.status_code == 404


def test_the_staff_see_the_rating(as_user, world, receive):
    dossier = returned(world, receive)
    services.rate_dossier(dossier, level="satisfied", comment="Tốt")
    html = as_user(world.desk_officer).get(reverse("onestop:dossier", args=[dossier.code])).content.decode()
    assert "Hài lòng" in html and "Tốt" in html
