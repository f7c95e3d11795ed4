"""Public endpoints (no login): lookup with masked data, rating once, online submission as
JSON or multipart with files in one transaction, and the per-address throttles."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from cchc.onestop import services
from cchc.onestop.models import DailySequence, Dossier, DossierDocument, DossierEvent, Rating
from tests.onestop.api.conftest import PDF, PNG
from tests.onestop.conftest import APPLICANT, at

pytestmark = pytest.mark.django_db

PUBLIC = "/api/v1/public/dossiers/"


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def returned(receive, world):
    dossier = receive("2026-04-24 09:00")
    services.transfer_dossier(dossier, actor=world.desk_officer, at=at("2026-04-24 10:00"))
    services.transfer_dossier(dossier, actor=world.specialist, at=at("2026-04-28 16:00"))
    services.approve_dossier(dossier, actor=world.leader, at=at("2026-04-29 09:00"))
    services.return_result(dossier, actor=world.desk_officer, at=at("2026-05-04 08:00"))
    return dossier


def assert_no_personal_data(body):
    text = json.dumps(body, ensure_ascii=False)
    for secret in (APPLICANT["id_number"], APPLICANT["phone"], APPLICANT["address"],
                   APPLICANT["email"], APPLICANT["name"], "Hồng Ngự, Đồng Tháp"):
        assert secret not in text, secret


def test_lookup_shows_initials_only(anon, returned):
    response = anon.get(f"{PUBLIC}{returned.code}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["code"] == returned.code
    assert body["applicant_initials"] == "N. V. A."
    assert (body["status"], body["result_ready"], body["can_rate"]) == (10, True, True)
    assert [s["name"] for s in body["steps_done"]] == [
        "Tiếp nhận, chuyển hồ sơ", "Thẩm định, đề xuất", "Phê duyệt", "Trả kết quả"]
    assert_no_personal_data(body)


def test_lookup_ignores_case_and_a_token(anon, returned):
    assert anon.get(f"{PUBLIC}{returned.code.lower()}/").status_code == 200
    anon.credentials(HTTP_AUTHORIZATION="Token rubbish")
    assert anon.get(f"{PUBLIC}{returned.code}/").status_code == 200


def test_unknown_code_is_a_404_in_vietnamese(anon, world):
    response = anon.get(f"{PUBLIC}000.10.50.H20-260424-9999/")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "detail": "Không tìm thấy hồ sơ có mã “000.10.50.H20-260424-9999”. Vui lòng kiểm tra "
                  "lại mã trên giấy tiếp nhận."}
    assert anon.get(f"{PUBLIC}{'x' * 300}/").status_code == 404


def test_rating_once_after_the_result(anon, returned, receive):
    path = f"{PUBLIC}{returned.code}/rating/"
    response = anon.post(path, {"level": "very_satisfied", "comment": "Nhanh"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["level"] == "very_satisfied"
    assert response.json()["level_label"] == "Rất hài lòng"
    assert response.json()["code"] == returned.code
    again = anon.post(path, {"level": "satisfied"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    assert Rating.objects.get().comment == "Nhanh"
    assert anon.get(f"{PUBLIC}{returned.code}/").json()["can_rate"] is False
    open_one = receive("2026-05-04 09:00")
    response = anon.post(f"{PUBLIC}{open_one.code}/rating/", {"level": "satisfied"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "not_returned"


@pytest.mark.parametrize("body,field", [
    ({}, "level"), ({"level": "rat_tot"}, "level"), ({"level": "satisfied", "comment": "x" * 2001},
                                                     "comment"),
    ({"level": ["satisfied"]}, "level"),
])
def test_rating_input_errors(anon, returned, body, field):
    response = anon.post(f"{PUBLIC}{returned.code}/rating/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Rating.objects.exists()


def test_rating_an_unknown_code_is_a_404(anon, world):
    response = anon.post(f"{PUBLIC}000.10.50.H20-260424-9999/rating/", {"level": "satisfied"},
                         format="json")
    assert response.status_code == 404


# -- online submission ----------------------------------------------------------------------


def submission(world, **changes):
    return {"agency": world.desk.code, "procedure": world.five_days.code,
            "applicant": dict(APPLICANT), "request": "Đăng ký kết hôn", **changes}


def test_online_submission_as_json(anon, world):
    response = anon.post(PUBLIC, submission(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"] == f"{PUBLIC}{body['code']}/"
    assert (body["status"], body["status_label"]) == (1, "Mới đăng ký")
    assert body["due_at"] is None and body["documents"] == []
    assert_no_personal_data(body)
    dossier = Dossier.objects.get(code=body["code"])
    assert dossier.channel == 2 and dossier.applicant_id_number == APPLICANT["id_number"]
    assert DossierEvent.objects.get(dossier=dossier).action == "submit"


def test_online_submission_multipart_with_files(anon, world):
    data = {
        "agency": world.desk.code, "procedure": world.five_days.code,
        "applicant.name": "Lê Thị Hoa", "applicant.phone": "0901234567",
        "documents": [SimpleUploadedFile("to-khai.pdf", PDF, "application/pdf"),
                      SimpleUploadedFile("anh.png", PNG, "image/png")],
        "document_names": ["Tờ khai", "Ảnh"],
    }
    response = anon.post(PUBLIC, data, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["applicant_initials"] == "L. T. H."
    assert [(d["name"], d["content_type"]) for d in body["documents"]] == [
        ("Tờ khai", "application/pdf"), ("Ảnh", "image/png")]
    dossier = Dossier.objects.get(code=body["code"])
    assert dossier.documents.count() == 2
    assert dossier.documents.get(name="Tờ khai").file.read() == PDF


def test_applicant_as_a_json_text_in_multipart(anon, world):
    data = {"agency": world.desk.code, "procedure": world.five_days.code,
            "applicant": json.dumps({"name": "Lê Thị Hoa", "email": "hoa@example.org"})}
    response = anon.post(PUBLIC, data, format="multipart")
    assert response.status_code == 201, response.json()


def test_a_bad_file_leaves_no_dossier_and_no_gap(anon, world):
    first = anon.post(PUBLIC, submission(world), format="json").json()["code"]
    data = {"agency": world.desk.code, "procedure": world.five_days.code,
            "applicant.name": "Lê Thị Hoa", "applicant.phone": "0901234567",
            "documents": [SimpleUploadedFile("to-khai.pdf", PDF, "application/pdf"),
                          SimpleUploadedFile("to-khai.docx", b"PK\x03\x04word", "application/pdf")]}
    response = anon.post(PUBLIC, data, format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == "file_type_not_allowed"
    assert "documents" in response.json()["errors"]
    assert Dossier.objects.count() == 1 and DossierDocument.objects.count() == 0
    assert DossierEvent.objects.count() == 1
    data["documents"] = [SimpleUploadedFile("empty.pdf", b"", "application/pdf")]
    assert anon.post(PUBLIC, data, format="multipart").status_code == 400
    nxt = anon.post(PUBLIC, submission(world), format="json").json()["code"]
    assert int(nxt[-4:]) == int(first[-4:]) + 1
    assert DailySequence.objects.get().last == int(nxt[-4:])


@pytest.mark.parametrize("changes,fields", [
    ({"agency": "000.10.51.H20"}, {"agency"}),
    ({"agency": "nowhere"}, {"agency"}),
    ({"procedure": "0.000000"}, {"procedure"}),
    ({"applicant": {"name": "An"}}, {"applicant.phone"}),
    ({"applicant": {"name": "", "phone": "12"}}, {"applicant.name", "applicant.phone"}),
    ({"applicant": {"email": "a@example.org"}}, {"applicant.name"}),
    ({"applicant": None}, {"applicant"}),
    ({"documents": ["not a file"]}, {"documents"}),
])
def test_online_submission_errors_name_the_fields(anon, world, changes, fields):
    response = anon.post(PUBLIC, submission(world, **changes), format="json")
    assert response.status_code == 400, response.json()
    assert set(response.json()["errors"]) == fields, response.json()
    assert not Dossier.objects.exists()


def test_the_desk_accepts_an_online_submission(anon, clients, world):
    code = anon.post(PUBLIC, submission(world), format="json").json()["code"]
    assert code in [r["code"] for r in clients.desk.get(
        "/api/v1/dossiers/", {"queue": "mine"}).json()["results"]]
    response = clients.desk.post(f"/api/v1/dossiers/{code}/actions/",
                                 {"action": "accept", "version": 0}, format="json")
    assert response.status_code == 200 and response.json()["status"] == 2


# -- throttling -----------------------------------------------------------------------------


def test_lookups_are_limited_per_address(anon, returned, settings):
    settings.CCHC_PUBLIC_LOOKUP_RATE = "3/min"
    for _ in range(3):
        assert anon.get(f"{PUBLIC}{returned.code}/").status_code == 200
    response = anon.get(f"{PUBLIC}{returned.code}/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert response.json()["detail"] == "Quá nhiều yêu cầu, vui lòng thử lại sau."
    assert 0 < response.json()["retry_after_seconds"] <= 60
    assert int(response["Retry-After"]) > 0
    # Another address is not affected; ratings count with lookups.
    assert anon.get(f"{PUBLIC}{returned.code}/", REMOTE_ADDR="10.0.0.9").status_code == 200
    assert anon.post(f"{PUBLIC}{returned.code}/rating/", {"level": "satisfied"},
                     format="json").status_code == 429


def test_unknown_codes_are_limited_harder(anon, returned, settings):
    settings.CCHC_PUBLIC_LOOKUP_RATE = "100/min"
    settings.CCHC_PUBLIC_MISS_RATE = "3/10min"
    prefix = returned.code[:-4]
    for number in range(9990, 9992):
        assert anon.get(f"{PUBLIC}{prefix}{number}/").status_code == 404
    # Hits do not count as misses...
    for _ in range(3):
        assert anon.get(f"{PUBLIC}{returned.code}/").status_code == 200
    assert anon.get(f"{PUBLIC}{prefix}9992/").status_code == 404
    # ...but past the limit of misses every lookup from the address is refused, so that the
    # 404/200 answer cannot be harvested.
    for path in (f"{PUBLIC}{prefix}9993/", f"{PUBLIC}{returned.code}/",
                 f"{PUBLIC}{returned.code}/rating/"):
        method = anon.post if path.endswith("rating/") else anon.get
        response = method(path, {"level": "satisfied"}, format="json")
        assert response.status_code == 429, path
        assert response.json()["code"] == "throttled"
        assert 500 < response.json()["retry_after_seconds"] <= 600
    assert anon.get(f"{PUBLIC}{returned.code}/", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_the_default_rates(anon, returned):
    for _ in range(30):
        assert anon.get(f"{PUBLIC}{returned.code}/").status_code == 200
    assert anon.get(f"{PUBLIC}{returned.code}/").status_code == 429


def test_the_default_miss_rate(anon, world):
    for number in range(10):
        assert anon.get(f"{PUBLIC}000.10.50.H20-260424-{number:04d}/").status_code == 404
    assert anon.get(f"{PUBLIC}000.10.50.H20-260424-0011/").status_code == 429


def test_throttles_can_be_switched_off(anon, returned, settings):
    settings.CCHC_PUBLIC_LOOKUP_RATE = None
    settings.CCHC_PUBLIC_MISS_RATE = None
    for number in range(40):
        assert anon.get(f"{PUBLIC}{returned.code[:-4]}{9000 + number}/").status_code == 404
    assert anon.get(f"{PUBLIC}{returned.code}/").status_code == 200


def test_submissions_are_limited(anon, world, settings):
    settings.CCHC_PUBLIC_SUBMIT_RATE = "2/h"
    for _ in range(2):
        assert anon.post(PUBLIC, submission(world), format="json").status_code == 201
    response = anon.post(PUBLIC, submission(world), format="json")
    assert response.status_code == 429 and response.json()["code"] == "throttled"


def test_rate_syntax():
    from django.core.exceptions import ImproperlyConfigured

    from cchc.onestop.api import parse_rate

    assert parse_rate("30/min") == (30, 60)
    assert parse_rate("10/10min") == (10, 600)
    assert parse_rate("20/h") == (20, 3600)
    assert parse_rate("5/2d") == (5, 172800)
    assert parse_rate(None) == (None, None)
    assert parse_rate("off") == (None, None)
    with pytest.raises(ImproperlyConfigured):
        parse_rate("ten per minute")


def test_the_counts_go_to_the_throttle_cache(anon, returned, settings):
    from django.core.cache import caches

    settings.CACHES = {**settings.CACHES, "throttle": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle-test"}}
    settings.CCHC_THROTTLE_CACHE = "throttle"
    settings.CCHC_PUBLIC_LOOKUP_RATE = "2/min"
    for _ in range(2):
        assert anon.get(f"{PUBLIC}{returned.code}/").status_code == 200
    assert anon.get(f"{PUBLIC}{returned.code}/").status_code == 429
    assert caches["throttle"].get("throttle_public_lookup_127.0.0.1")
    assert caches["default"].get("throttle_public_lookup_127.0.0.1") is None
    caches["throttle"].clear()
