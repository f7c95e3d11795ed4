"""Intake at the desk: procedure search without diacritics, the checklist, uploads."""

import pytest
from django.urls import reverse

from cchc.onestop.models import DailySequence, Dossier, DossierDocument, DossierEvent, Status
from cchc.onestop.templatetags.onestop_tags import form_url
from tests.onestop.conftest import APPLICANT
from tests.onestop.pages.conftest import fake_pdf, pdf

pytestmark = pytest.mark.django_db

URL = "/mot-cua/tiep-nhan/"


def form_data(world, procedure, **overrides):
    data = {
        "procedure": procedure.code, "agency": world.desk.pk, "channel": 1,
        "applicant_name": APPLICANT["name"], "applicant_id_number": APPLICANT["id_number"],
        "applicant_phone": APPLICANT["phone"], "applicant_email": APPLICANT["email"],
        "applicant_address": APPLICANT["address"], "request": "", "sets": 1,
    }
    data.update(overrides)
    return data


def test_the_url_is_stable():
    assert reverse("onestop:intake") == URL


def test_procedures_are_found_without_diacritics(as_user, world):
    client = as_user(world.desk_officer)
    html = client.get(URL, {"q": "KET HON nuoc ngoai"}).content.decode()
    assert "Đăng ký kết hôn có yếu tố nước ngoài" in html
    assert f"?thu_tuc={world.five_days.code}" in html
    assert "Đăng ký khai sinh" not in html
    html = client.get(URL, {"q": "khong co thu tuc nay"}).content.decode()
    assert "Không tìm thấy thủ tục phù hợp" in html


def test_an_overlong_search_is_a_message(as_user, world):
    response = as_user(world.desk_officer).get(URL, {"q": "x" * 300})
    assert response.status_code == 200  # the form refuses it: no search, the field says why
    assert "Kết quả tìm thủ tục" not in response.content.decode()


def test_the_chosen_procedure_shows_its_components_as_a_checklist(as_user, world, with_components):
    html = as_user(world.desk_officer).get(URL, {"thu_tuc": with_components.code}).content.decode()
    assert "Cấp bản sao trích lục hộ tịch" in html
    assert "Tờ khai cấp bản sao trích lục hộ tịch" in html and "Giấy tờ tùy thân" in html
    assert 'type="checkbox" name="components"' in html
    assert world.desk.name in html
    assert "8.000 đ" in html


def test_an_unknown_procedure_is_a_message(as_user, world):
    response = as_user(world.desk_officer).get(URL, {"thu_tuc": "9.999999"})
    assert response.status_code == 400
    assert "message--error" in response.content.decode()


def test_receiving_creates_the_dossier_and_links_the_receipt(as_user, world, with_components):
    client = as_user(world.desk_officer)
    response = client.post(URL, {**form_data(world, with_components, components=["1", "2"]),
                                 "documents": [pdf("to-khai.pdf"), pdf("cccd.pdf")]})
    assert response.status_code == 302, response.content.decode()
    dossier = Dossier.objects.get()
    assert response["Location"] == reverse("onestop:dossier", args=[dossier.code])
    assert dossier.status == Status.RECEIVED and dossier.channel == 1
    assert dossier.request == "Cấp bản sao trích lục hộ tịch"
    assert dossier.events.get().actor == world.desk_officer
    assert sorted(DossierDocument.objects.values_list("name", flat=True)) == ["cccd.pdf", "to-khai.pdf"]
    html = client.get(response["Location"]).content.decode()
    assert f"Đã tiếp nhận hồ sơ {dossier.code}" in html
    receipt = form_url(dossier.code, "01")
    if receipt:  # the PDF forms are installed: the message links the receipt
        assert f'href="{receipt}"' in html.split('class="messages"')[1].split("</ul>")[0]


def test_postal_channel(as_user, world):
    response = as_user(world.desk_officer).post(URL, form_data(world, world.five_days, channel=3))
    assert response.status_code == 302
    assert Dossier.objects.get().channel == 3


def test_online_is_not_a_desk_channel(as_user, world):
    response = as_user(world.desk_officer).post(URL, form_data(world, world.five_days, channel=2))
    assert response.status_code == 400
    assert not Dossier.objects.exists()


def test_a_fake_pdf_is_rejected_and_nothing_is_created(as_user, world):
    response = as_user(world.desk_officer).post(
        URL, {**form_data(world, world.five_days), "documents": [pdf(), fake_pdf()]})
    assert response.status_code == 400
    assert "“khong-phai-pdf.pdf” không phải PDF, JPEG hoặc PNG" in response.content.decode()
    assert not Dossier.objects.exists()
    assert not DossierDocument.objects.exists()
    assert not DossierEvent.objects.exists()
    assert not DailySequence.objects.filter(last__gt=0).exists()


def test_a_file_rejected_by_the_service_rolls_the_dossier_back(as_user, world, monkeypatch):
    """Even when only attach_documents refuses (e.g. a limit), the dossier is not kept."""
    from cchc.errors import InvalidInput
    from cchc.onestop import uploads

    def refuse(*args, **kwargs):
        raise InvalidInput("Mỗi hồ sơ có tối đa 20 tệp.", code="too_many_files")

    monkeypatch.setattr(uploads, "attach_documents", refuse)
    response = as_user(world.desk_officer).post(
        URL, {**form_data(world, world.five_days), "documents": [pdf()]})
    assert response.status_code == 400
    assert "tối đa 20 tệp" in response.content.decode()
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(("overrides", "field_error"), [
    ({"applicant_name": ""}, "bắt buộc"),
    ({"applicant_id_number": "12345"}, "đúng 12 chữ số"),
    ({"applicant_email": "an@"}, "thư điện tử không hợp lệ"),
    ({"applicant_phone": "gọi tôi"}, "Số điện thoại không hợp lệ"),
    ({"sets": 0}, "1"),
    ({"sets": "abc"}, "số"),
])
def test_applicant_errors_are_shown_on_their_fields(as_user, world, overrides, field_error):
    response = as_user(world.desk_officer).post(URL, form_data(world, world.five_days, **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert "field--error" in html and field_error in html
    assert not Dossier.objects.exists()


def test_only_the_users_own_desks_can_receive(as_user, world):
    response = as_user(world.desk_officer).post(
        URL, form_data(world, world.five_days, agency=world.other_desk.pk))
    assert response.status_code == 400
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("who", ["specialist", "leader"])
def test_non_desk_staff_cannot_receive(as_user, world, who):
    client = as_user(getattr(world, who))
    response = client.get(URL)
    assert response.status_code == 403
    assert "Chỉ cán bộ một cửa" in response.content.decode()
    response = client.post(URL, form_data(world, world.five_days))
    assert response.status_code == 403
    assert not Dossier.objects.exists()
