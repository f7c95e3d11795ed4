"""The REST API: books, entries (search, detail, direct registration), desk requests, notes,
copies, PDFs, counts and evidence; errors 400 naming the fields, 404 for other units, 409
for closed books and abolished units, 403 for roles that may not act."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cchc.civil.models import CivilRequest, MarginalNote, RegisterBook, RegisterEntry
from cchc.core.models import PersonalDataSearch
from tests.civil.conftest import at, birth, death, marriage
from tests.onestop.documents.pdftext import assert_in_pdf, pdf_text


def client_for(user) -> APIClient:
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def officer(world):
    return client_for(world.officer)


def recent_birth(**child):
    born = (timezone.localdate() - datetime.timedelta(days=5)).isoformat()
    return birth(birth_date=born, **child)


def test_the_schema_documents_the_civil_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for path in ("/api/v1/civil/books/", "/api/v1/civil/books/{id}/close/",
                 "/api/v1/civil/entries/", "/api/v1/civil/entries/{id}/",
                 "/api/v1/civil/entries/{id}/notes/", "/api/v1/civil/entries/{id}/copies/",
                 "/api/v1/civil/entries/{id}/{kind}.pdf", "/api/v1/civil/requests/",
                 "/api/v1/civil/stats/monthly/", "/api/v1/civil/evidence/"):
        assert path in paths, path
    post = paths["/api/v1/civil/entries/"]["post"]
    assert set(post["responses"]) >= {"201", "400", "403", "404", "409"}
    assert "examples" in post["requestBody"]["content"]["application/json"]


def test_direct_registration_returns_the_entry(world, officer):
    response = officer.post("/api/v1/civil/entries/", {
        "event_type": "birth", "unit": "2025:30280", "data": recent_birth()}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    year = timezone.localdate().year
    assert (body["number"], body["volume"], body["kind"]) == (1, f"01/{year}", "normal")
    assert body["unit"] == {"key": "2025:30280", "name": "Phường Hồng Ngự", "era": "2025"}
    assert body["father_id_number"] == "087095001234"
    assert body["dossier"].startswith("000.10.50.H20-")
    assert set(body["documents"]) == {"extract", "certificate"}


def test_bad_input_is_a_400_naming_the_fields(world, officer):
    data = marriage(wife={"birth_date": "2010-03-10", "id_number": "087310013579"})
    data["husband"]["id_number"] = "12345"
    response = officer.post("/api/v1/civil/entries/", {
        "event_type": "marriage", "agency": world.desk.code, "data": data}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rule_violation"
    assert set(body["errors"]) == {"data.wife.birth_date", "data.husband.id_number"}
    missing = officer.post("/api/v1/civil/entries/", {"event_type": "birth"}, format="json")
    assert missing.status_code == 400 and "data" in missing.json()["errors"]
    wrong = officer.post("/api/v1/civil/entries/", {"event_type": "adoption", "unit": "2025:30280",
                                                    "data": {}}, format="json")
    assert wrong.status_code == 400 and "event_type" in wrong.json()["errors"]
    assert not RegisterEntry.objects.exists()


def test_another_unit_is_a_404_and_an_abolished_unit_a_409(world, officer, register):
    other = register("birth", birth(), agency=world.other_desk, actor=world.outsider)
    assert officer.get(f"/api/v1/civil/entries/{other.pk}/").status_code == 404
    assert officer.get(f"/api/v1/civil/books/{other.book_id}/").status_code == 404
    assert officer.get("/api/v1/civil/entries/999999/").status_code == 404
    response = officer.post("/api/v1/civil/entries/", {
        "event_type": "birth", "unit": "2025:30316", "data": recent_birth()}, format="json")
    assert response.status_code == 404
    old = client_for(world.old_officer).post("/api/v1/civil/entries/", {
        "event_type": "birth", "agency": world.old_desk.code, "data": recent_birth()},
        format="json")
    assert old.status_code == 409 and old.json()["code"] == "unit_abolished"


def test_books_list_detail_and_close(world, officer, register):
    register("birth", birth(birth_date="2025-12-01"), "2025-12-30 09:00")
    register("birth", birth(birth_date="2025-12-02"), "2025-12-30 10:00")
    register("death", death())
    listed = officer.get("/api/v1/civil/books/?year=2025").json()
    assert listed["count"] == 1
    book = listed["results"][0]
    assert (book["volume"], book["entries"], book["closed_at"]) == ("01/2025", 2, None)
    assert officer.get("/api/v1/civil/books/?open=true").json()["count"] == 2
    assert officer.get("/api/v1/civil/books/?unit=2025:30316").json()["count"] == 0
    assert officer.get("/api/v1/civil/books/?year=abc").status_code == 400
    url = f"/api/v1/civil/books/{book['id']}/close/"
    assert officer.post(url, {}, format="json").status_code == 403
    leader = client_for(world.leader)
    closed = leader.post(url, {"total_pages": 1}, format="json")
    assert closed.status_code == 200, closed.json()
    assert (closed.json()["total_entries"], closed.json()["total_pages"],
            closed.json()["closed_by"]) == (2, 1, "Mai Thanh Sơn")
    again = leader.post(url, {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "book_closed"
    assert client_for(world.outsider).post(url, {}, format="json").status_code == 404


def test_search_is_audited_and_masks_numbers_for_inspectors(world, officer, register):
    entry = register("birth", birth(id_number="087326000123"))
    found = officer.get("/api/v1/civil/entries/", {"name": "bao ngoc"})
    assert found.status_code == 200 and found["X-Result-Count"] == "1"
    assert found.json()["results"][0]["id_number"] == "087326000123"
    inspector = client_for(world.inspector)
    masked = inspector.get("/api/v1/civil/entries/", {"id_number": "087326000123"}).json()
    assert masked["results"][0]["id_number"] == "0873******23"
    detail = inspector.get(f"/api/v1/civil/entries/{entry.pk}/").json()
    assert detail["father_id_number"] == "0870******34" and detail["documents"] == {}
    assert detail["current"]["mother_id_number"] == "0871******21"
    assert inspector.get(f"/api/v1/civil/entries/{entry.pk}/extract.pdf").status_code == 403
    assert list(PersonalDataSearch.objects.values_list("user__username", "source", "result_count")
                .order_by("pk")) == [("hotich", "civil.api", 1), ("kiemtra", "civil.api", 1)]
    bad = officer.get("/api/v1/civil/entries/", {"birth_date": "hôm qua"})
    assert bad.status_code == 400 and "birth_date" in bad.json()["errors"]
    assert officer.get("/api/v1/civil/entries/").status_code == 400


def test_desk_request_then_processing(world, register, django_capture_on_commit_callbacks):
    desk = client_for(world.desk_officer)
    response = desk.post("/api/v1/civil/requests/", {
        "event_type": "birth", "agency": world.desk.code, "data": recent_birth()}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["dossier_status"], body["kind"]) == ("pending", 2, "normal")
    request = CivilRequest.objects.get()
    from cchc.onestop import services as onestop

    dossier = onestop.transfer_dossier(request.dossier, actor=world.desk_officer)
    dossier = onestop.transfer_dossier(dossier, actor=world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        onestop.approve_dossier(dossier, actor=world.leader)
    assert RegisterEntry.objects.get().dossier == request.dossier
    refused = client_for(world.officer).post("/api/v1/civil/requests/", {
        "event_type": "birth", "agency": world.desk.code, "data": recent_birth()}, format="json")
    assert refused.status_code == 403


def test_notes_copies_and_pdfs(world, officer, register):
    entry = register("birth", birth())
    note = officer.post(f"/api/v1/civil/entries/{entry.pk}/notes/", {
        "kind": "correction", "changes": {"child.full_name": "Nguyễn Thị Bảo Ngân"},
        "applicant": {"name": "Nguyễn Văn Hùng"}}, format="json")
    assert note.status_code == 201, note.json()
    assert note.json()["changes"]["full_name"]["new"] == "Nguyễn Thị Bảo Ngân"
    bad = officer.post(f"/api/v1/civil/entries/{entry.pk}/notes/", {
        "kind": "correction", "changes": {"child.birth_date": "31/02/2026"}}, format="json")
    assert bad.status_code == 400 and "child.birth_date" in bad.json()["errors"]
    detail = officer.get(f"/api/v1/civil/entries/{entry.pk}/").json()
    assert detail["full_name"] == "Nguyễn Thị Bảo Ngọc"
    assert detail["current"]["full_name"] == "Nguyễn Thị Bảo Ngân"
    assert len(detail["notes"]) == 1
    copy = officer.post(f"/api/v1/civil/entries/{entry.pk}/copies/", {
        "applicant": {"name": "Trần Thị Lan"}, "copies": 2}, format="json")
    assert copy.status_code == 201, copy.json()
    pdf = officer.get(copy.json()["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert_in_pdf(pdf_text(pdf.content), "TRÍCH LỤC KHAI SINH", "(Bản sao)",
                  "NGUYỄN THỊ BẢO NGÂN", "Ghi chú:")
    certificate = officer.get(detail["documents"]["certificate"])
    assert certificate.status_code == 200
    assert_in_pdf(pdf_text(certificate.content), "GIẤY KHAI SINH")
    assert officer.get(f"/api/v1/civil/entries/{entry.pk}/other.pdf").status_code == 404
    assert MarginalNote.objects.count() == 1
    assert client_for(world.outsider).post(f"/api/v1/civil/entries/{entry.pk}/notes/", {
        "kind": "other", "text": "x"}, format="json").status_code == 404


def test_monthly_counts_and_evidence(world, officer, register):
    register("birth", birth(birth_date="2025-09-01"), "2025-09-10 09:00")
    register("birth", birth(), "2026-04-24 09:00")
    register("death", death(), "2026-04-24 10:00")
    rows = officer.get("/api/v1/civil/stats/monthly/", {"year": 2026}).json()
    assert rows == [{"unit": {"key": "2025:30280", "name": "Phường Hồng Ngự", "era": "2025"},
                     "month": 4, "birth": 1, "marriage": 0, "death": 1, "total": 2}]
    evidence = officer.get("/api/v1/civil/evidence/", {"year": 2025}).json()
    assert [(e["year"], e["entries"], e["gaps"], e["unclosed_past"], e["clean"])
            for e in evidence] == [(2025, 1, [], True, False)]
    assert officer.get("/api/v1/civil/evidence/", {"year": "x"}).status_code == 400
    assert officer.get("/api/v1/civil/evidence/", {"unit": "2025:30316"}).status_code == 404
    assert RegisterBook.objects.count() == 3


def test_anonymous_requests_are_refused(world):
    assert APIClient().get("/api/v1/civil/books/").status_code == 401
    assert at("2026-01-01 00:00")  # the helper is shared with the other tests
