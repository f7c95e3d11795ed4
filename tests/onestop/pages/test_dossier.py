"""The dossier page and its action forms: what it shows, every error path, the whole walk."""

import pytest
from django.urls import reverse

from cchc.onestop import services
from cchc.onestop.models import DossierDocument, DossierEvent, Status
from tests.onestop.conftest import APPLICANT, at
from tests.onestop.pages.conftest import PNG, fake_pdf, pdf

pytestmark = pytest.mark.django_db


def page(client, dossier):
    return client.get(reverse("onestop:dossier", args=[dossier.code]))


def act(client, dossier, action, data=None, version=None, **extra):
    data = {"version": dossier.version if version is None else version, **(data or {})}
    return client.post(reverse("onestop:act", args=[dossier.code, action]), data, **extra)


def test_the_page_shows_the_dossier_its_due_explanation_steps_and_history(as_user, world, receive):
    dossier = receive("2026-04-24 09:00")
    response = page(as_user(world.desk_officer), dossier)
    assert response.status_code == 200
    html = response.content.decode()
    for text in (dossier.code, "Đăng ký kết hôn có yếu tố nước ngoài", APPLICANT["name"],
                 APPLICANT["id_number"], APPLICANT["phone"], APPLICANT["address"],
                 "09:00 24/04/2026", "09:00 06/05/2026", "5 ngày làm việc theo quy định",
                 "27/04/2026", "30/04/2026", "01/05/2026",      # skipped days...
                 "Giỗ Tổ",                                          # ...with their reasons
                 "Tiếp nhận, chuyển hồ sơ", "Tiếp nhận hồ sơ", "Motcua",
                 "Mẫu 01", "Mẫu 06"):
        assert text in html, text
    assert "Mẫu 04" not in html  # no apology yet


def test_the_page_offers_the_actions_of_the_users_role_with_the_version(as_user, world, receive):
    dossier = receive()
    html = page(as_user(world.desk_officer), dossier).content.decode()
    for action in ("transfer", "request_supplement", "withdraw", "apologize"):
        assert reverse("onestop:act", args=[dossier.code, action]) in html
    assert reverse("onestop:act", args=[dossier.code, "approve"]) not in html
    assert 'name="version" value="0"' in html
    # The specialist does not hold the desk's step: only what is open to any holder.
    html = page(as_user(world.specialist), dossier).content.decode()
    assert reverse("onestop:act", args=[dossier.code, "transfer"]) not in html
    assert reverse("onestop:act", args=[dossier.code, "stop"]) in html


def test_an_overdue_dossier_gets_a_banner_suggesting_an_apology(as_user, world, receive):
    dossier = receive("2026-04-24 09:00")
    html = page(as_user(world.desk_officer), dossier).content.decode()
    assert "Hồ sơ đã quá hạn giải quyết." in html
    assert "mẫu 04" in html and 'href="#action-apologize"' in html
    services.issue_apology(dossier, actor=world.leader, reason="Chờ xác minh",
                           new_due_at="2026-05-12T16:00", at=at("2026-05-04 09:00"))
    html = page(as_user(world.desk_officer), dossier).content.decode()
    assert "Đã xin lỗi và hẹn lại ngày trả: 16:00 12/05/2026" in html
    assert 'href="#action-apologize"' not in html
    assert "Mẫu 04" in html


def test_a_dossier_due_within_a_working_day_gets_the_banner(as_user, world, receive):
    from django.utils import timezone

    dossier = receive(timezone.localtime().strftime("%Y-%m-%d %H:%M"), procedure=world.same_day)
    html = page(as_user(world.desk_officer), dossier).content.decode()
    assert "trong vòng một ngày làm việc" in html or "Hồ sơ đã quá hạn" in html


def test_a_fresh_dossier_has_no_banner(as_user, world):
    from django.utils import timezone

    dossier = services.receive_dossier(agency=world.desk, procedure=world.five_days,
                                       applicant=APPLICANT, actor=world.desk_officer,
                                       at=timezone.now())
    html = page(as_user(world.desk_officer), dossier).content.decode()
    assert 'class="banner banner--' not in html


def test_another_units_dossier_is_not_found(as_user, world, receive):
    dossier = receive()
    client = as_user(world.outsider)
    assert page(client, dossier).status_code == 404
    response = act(client, dossier, "transfer")
    assert response.status_code == 404
    dossier.refresh_from_db()
    assert dossier.version == 0


def test_an_unknown_code_is_not_found(as_user, world):
    response = as_user(world.desk_officer).get(reverse("onestop:dossier", args=["khong-co"]))
    assert response.status_code == 404


def test_transfer_moves_the_dossier_on_and_says_so(as_user, world, receive):
    dossier = receive()
    client = as_user(world.desk_officer)
    response = act(client, dossier, "transfer", {"note": "Đủ hồ sơ"})
    assert response.status_code == 302
    assert response["Location"] == reverse("onestop:dossier", args=[dossier.code])
    dossier.refresh_from_db()
    assert (dossier.status, dossier.current_role, dossier.version) == (Status.PROCESSING, "specialist", 1)
    html = client.get(response["Location"]).content.decode()
    assert "Đã thực hiện: Chuyển bước tiếp theo." in html
    assert "Đủ hồ sơ" in html


def test_a_stale_form_is_refused_and_the_page_reloads(as_user, world, receive):
    dossier = receive()
    services.transfer_dossier(dossier, actor=world.desk_officer)  # someone else, meanwhile
    client = as_user(world.specialist)
    response = act(client, dossier, "request_supplement", {"reason": "Thiếu giấy"}, version=0)
    assert response.status_code == 302
    assert response["Location"] == reverse("onestop:dossier", args=[dossier.code])
    html = client.get(response["Location"]).content.decode()
    assert "vừa được người khác xử lý" in html
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and dossier.version == 1


@pytest.mark.parametrize("version", ["", "abc", "-1"])
def test_a_missing_or_malformed_version_is_a_form_error(as_user, world, receive, version):
    dossier = receive()
    response = as_user(world.desk_officer).post(
        reverse("onestop:act", args=[dossier.code, "transfer"]), {"version": version})
    assert response.status_code == 400
    assert "tải lại trang" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.version == 0


def test_a_forbidden_action_is_a_message_and_changes_nothing(as_user, world, receive):
    dossier = receive()
    events = DossierEvent.objects.count()
    # A desk officer cannot approve; a specialist does not hold the desk's step.
    response = act(as_user(world.desk_officer), dossier, "approve")
    assert response.status_code == 403
    assert "không được thực hiện" in response.content.decode()
    response = act(as_user(world.specialist), dossier, "transfer")
    assert response.status_code == 409
    assert "bạn không thể" in response.content.decode()
    # Returning a result that does not exist yet.
    response = act(as_user(world.desk_officer), dossier, "return_result")
    assert response.status_code == 409
    dossier.refresh_from_db()
    assert dossier.version == 0 and dossier.status == Status.RECEIVED
    assert DossierEvent.objects.count() == events


def test_an_unknown_action_is_not_found(as_user, world, receive):
    dossier = receive()
    assert act(as_user(world.desk_officer), dossier, "fly").status_code == 404


def test_a_get_on_an_action_is_refused(as_user, world, receive):
    dossier = receive()
    response = as_user(world.desk_officer).get(reverse("onestop:act", args=[dossier.code, "transfer"]))
    assert response.status_code == 405


def test_a_reason_is_required_where_the_law_asks_for_one(as_user, world, receive):
    dossier = receive()
    response = act(as_user(world.desk_officer), dossier, "request_supplement", {"reason": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Trường này là bắt buộc" in html or "bắt buộc" in html
    assert 'id="action-request_supplement" open' in html  # the form with its error is open
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED


def test_the_supplement_warning_is_shown_before_a_second_request(as_user, world, receive):
    dossier = receive()
    client = as_user(world.desk_officer)
    assert "lần thứ hai" not in page(client, dossier).content.decode()
    response = act(client, dossier, "request_supplement",
                   {"reason": "Thiếu giấy xác nhận", "documents": "Giấy xác nhận tình trạng hôn nhân\n\nBản sao hộ chiếu"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    event = dossier.events.get(action="request_supplement")
    assert event.data["documents"] == ["Giấy xác nhận tình trạng hôn nhân", "Bản sao hộ chiếu"]
    assert act(client, dossier, "receive_supplement", {"note": "Đã nhận"}).status_code == 302
    dossier.refresh_from_db()
    html = page(client, dossier).content.decode()
    assert "yêu cầu bổ sung lần thứ hai trở đi làm hồ sơ bị tính là trễ hạn" in html
    assert "Mẫu 02" in html


def test_supplemented_documents_are_attached(as_user, world, receive):
    dossier = receive()
    services.request_supplement(dossier, actor=world.desk_officer, reason="Thiếu")
    dossier.refresh_from_db()
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = SimpleUploadedFile("anh.png", PNG, content_type="image/png")
    response = act(as_user(world.desk_officer), dossier, "receive_supplement",
                   {"attachments": [pdf(), png]})
    assert response.status_code == 302, response.content.decode()
    kinds = list(DossierDocument.objects.filter(dossier=dossier).values_list("kind", "content_type"))
    assert kinds == [("supplement", "application/pdf"), ("supplement", "image/png")]


def test_a_fake_pdf_among_the_supplement_is_rejected_and_nothing_changes(as_user, world, receive):
    dossier = receive()
    services.request_supplement(dossier, actor=world.desk_officer, reason="Thiếu")
    dossier.refresh_from_db()
    response = act(as_user(world.desk_officer), dossier, "receive_supplement",
                   {"attachments": [pdf(), fake_pdf()]})
    assert response.status_code == 400
    assert "không phải PDF, JPEG hoặc PNG" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT
    assert not DossierDocument.objects.exists()


def test_apology_with_a_new_date(as_user, world, receive):
    dossier = receive()
    client = as_user(world.leader)
    response = act(client, dossier, "apologize", {"reason": "Chờ xác minh", "new_due_at": "2027-01-15T16:00"})
    assert response.status_code == 302, response.content.decode()
    dossier.refresh_from_db()
    assert dossier.apology_new_due_at == at("2027-01-15 16:00")
    html = client.get(response["Location"]).content.decode()
    assert "16:00 15/01/2027" in html
    assert reverse("onestop:act", args=[dossier.code, "apologize"]) not in html  # once only


@pytest.mark.parametrize(("data", "message"), [
    ({"reason": "Chờ", "new_due_at": "mai"}, "hh:mm dd/mm/yyyy"),
    ({"reason": "Chờ", "new_due_at": "2026-05-01T16:00"}, "Ngày hẹn mới phải sau ngày hẹn cũ"),
])
def test_apology_errors_stay_on_the_page(as_user, world, receive, data, message):
    dossier = receive()
    response = act(as_user(world.leader), dossier, "apologize", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.apology_issued_at is None


def test_financial_amount_must_be_a_whole_number(as_user, world, receive):
    dossier = receive()
    services.transfer_dossier(dossier, actor=world.desk_officer)
    dossier.refresh_from_db()
    client = as_user(world.specialist)
    response = act(client, dossier, "request_financial", {"amount": "12,5"})
    assert response.status_code == 400
    response = act(client, dossier, "request_financial", {"amount": "1500000", "note": "Lệ phí"})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "1.500.000 đ" in html


def test_the_whole_way_through_the_pages(as_user, world, receive):
    dossier = receive()
    steps = [
        (world.desk_officer, "transfer", {"note": "Chuyển chuyên viên"}),
        (world.specialist, "transfer", {"note": "Đề nghị cấp"}),
        (world.leader, "approve", {"result": "Đã cấp giấy chứng nhận"}),
        (world.desk_officer, "return_result", {}),
    ]
    for user, action, data in steps:
        dossier.refresh_from_db()
        response = act(as_user(user), dossier, action, data)
        assert response.status_code == 302, (action, response.content.decode())
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    html = page(as_user(world.leader), dossier).content.decode()
    assert "Đã trả kết quả" in html and "Đã cấp giấy chứng nhận" in html
    assert html.count("badge--ok") >= 4  # each step early/on time, the status


def test_online_dossier_accept_and_refuse(as_user, world):
    online = services.submit_online(agency=world.desk, procedure=world.five_days, applicant=APPLICANT)
    client = as_user(world.desk_officer)
    html = page(client, online).content.decode()
    assert "thời hạn bắt đầu tính khi bộ phận một cửa tiếp nhận" in html
    assert act(client, online, "refuse", {"reason": ""}).status_code == 400
    assert act(client, online, "refuse", {"reason": "Không thuộc thẩm quyền"}).status_code == 302
    online.refresh_from_db()
    assert online.status == Status.NOT_RECEIVED
    assert "Mẫu 03" in page(client, online).content.decode()


def test_documents_are_served_only_within_the_unit(as_user, world, receive):
    from cchc.onestop import uploads

    dossier = receive()
    [document] = uploads.attach_documents(dossier, [pdf()])
    url = reverse("onestop:document", args=[dossier.code, document.pk])
    response = as_user(world.specialist).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert as_user(world.outsider).get(url).status_code == 404
    other = receive()
    wrong = reverse("onestop:document", args=[other.code, document.pk])
    assert as_user(world.specialist).get(wrong).status_code == 404
