"""Work queues: scoping, filters, sorting, pagination, malformed parameters."""

import pytest
from django.urls import reverse

from cchc.onestop import services
from tests.onestop.conftest import APPLICANT, at

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    ("onestop:home", {}),
    ("onestop:queue", {"queue": "overdue"}),
    ("onestop:intake", {}),
    ("onestop:dossier", {"code": "000.10.50.H20-260424-0001"}),
    ("onestop:document", {"code": "000.10.50.H20-260424-0001", "pk": 1}),
]


@pytest.mark.parametrize(("name", "kwargs"), STAFF_PAGES)
def test_staff_pages_send_anonymous_users_to_the_login_page(client, world, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))
    assert "next=" in response["Location"]


def test_actions_need_a_login_too(client, receive):
    dossier = receive()
    response = client.post(reverse("onestop:act", args=[dossier.code, "transfer"]),
                           {"version": dossier.version})
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    dossier.refresh_from_db()
    assert dossier.version == 0


def test_the_desk_sees_its_dossier_with_everything_a_row_needs(as_user, world, receive):
    dossier = receive("2026-04-24 09:00")
    response = as_user(world.desk_officer).get(reverse("onestop:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert dossier.code in html
    assert "Đăng ký kết hôn có yếu tố nước ngoài" in html
    assert APPLICANT["name"] in html
    assert "09:00 24/04/2026" in html          # received, hh:mm dd/mm/yyyy
    assert "09:00 06/05/2026" in html          # due, over the April-May holidays
    assert "badge--bad" in html and "Quá hạn" in html  # it is November 2026 now
    assert "Tiếp nhận, chuyển hồ sơ" in html   # the current step
    assert reverse("onestop:intake") in html   # desks get the intake button
    assert APPLICANT["id_number"] not in html


@pytest.mark.parametrize("queue", ["mine", "due_soon", "overdue", "supplement", "all"])
def test_every_queue_renders(as_user, world, receive, queue):
    receive()
    response = as_user(world.desk_officer).get(reverse("onestop:queue", args=[queue]))
    assert response.status_code == 200
    assert 'aria-current="page"' in response.content.decode()


def test_an_unknown_queue_is_not_found(as_user, world):
    response = as_user(world.desk_officer).get(reverse("onestop:queue", args=["nope"]))
    assert response.status_code == 404


def test_another_units_officer_sees_nothing(as_user, world, receive):
    dossier = receive()
    client = as_user(world.outsider)
    for queue in ("mine", "all", "overdue"):
        html = client.get(reverse("onestop:queue", args=[queue])).content.decode()
        assert dossier.code not in html


def test_the_specialist_sees_it_once_transferred(as_user, world, receive):
    dossier = receive()
    client = as_user(world.specialist)
    assert dossier.code not in client.get(reverse("onestop:home")).content.decode()
    services.transfer_dossier(dossier, actor=world.desk_officer, at=at("2026-04-24 10:00"))
    assert dossier.code in client.get(reverse("onestop:home")).content.decode()


def test_the_supplement_queue_lists_waiting_dossiers(as_user, world, receive):
    waiting = receive("2026-04-24 09:00")
    other = receive("2026-04-24 10:00")
    services.request_supplement(waiting, actor=world.desk_officer, reason="Thiếu giấy tờ",
                                at=at("2026-04-24 11:00"))
    html = as_user(world.desk_officer).get(reverse("onestop:queue", args=["supplement"])).content.decode()
    assert waiting.code in html and other.code not in html
    assert "Tạm dừng (chờ bổ sung)" in html


def test_filters_by_code_applicant_procedure_status_and_dates(as_user, world, receive):
    first = receive("2026-04-24 09:00")
    second = receive("2026-04-28 09:00", procedure=world.same_day)
    services.transfer_dossier(second, actor=world.desk_officer, at=at("2026-04-28 09:30"))
    client = as_user(world.desk_officer)
    url = reverse("onestop:queue", args=["all"])

    def codes(**params):
        response = client.get(url, params)
        assert response.status_code == 200, response.content.decode()
        html = response.content.decode()
        return {code for code in (first.code, second.code) if code in html}

    assert codes(q=first.code[-4:] + "x") == set()
    assert codes(q=first.code) == {first.code}
    assert codes(q="nguyễn văn") == {first.code, second.code}
    assert codes(thu_tuc=world.same_day.code) == {second.code}
    assert codes(trang_thai=4) == {second.code}
    assert codes(tu_ngay="2026-04-25") == {second.code}
    assert codes(den_ngay="24/04/2026") == {first.code}
    assert codes(tu_ngay="2026-04-24", den_ngay="2026-04-24") == {first.code}


def test_sorted_by_due_soonest_first_or_last(as_user, world, receive):
    later = receive("2026-04-28 09:00")
    sooner = receive("2026-04-24 09:00")
    client = as_user(world.desk_officer)
    html = client.get(reverse("onestop:home")).content.decode()
    assert html.index(sooner.code) < html.index(later.code)
    html = client.get(reverse("onestop:home"), {"sap_xep": "-han"}).content.decode()
    assert html.index(later.code) < html.index(sooner.code)


@pytest.mark.parametrize("params", [
    {"tu_ngay": "hôm qua"},
    {"den_ngay": "2026-13-45"},
    {"tu_ngay": "2026-05-01", "den_ngay": "2026-04-01"},
    {"tu_ngay": "0001-01-01"},
    {"thu_tuc": "1.999999.000.00.00.H99"},
    {"trang_thai": "99"},
    {"trang_thai": "abc"},
    {"sap_xep": "due_at; DROP TABLE"},
    {"q": "x" * 500},
])
def test_malformed_filters_give_a_friendly_message(as_user, world, receive, params):
    dossier = receive()
    response = as_user(world.desk_officer).get(reverse("onestop:queue", args=["all"]), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Bộ lọc không hợp lệ" in html
    assert dossier.code in html  # the queue is still shown, unfiltered


@pytest.mark.parametrize("page", ["abc", "-1", "999", "1.5", ""])
def test_odd_page_numbers_still_show_a_page(as_user, world, receive, page):
    receive()
    response = as_user(world.desk_officer).get(reverse("onestop:home"), {"trang": page})
    assert response.status_code == 200


def test_pagination_keeps_the_filters(as_user, world, receive):
    for minute in range(30):
        receive(f"2026-04-24 09:{minute:02d}")
    client = as_user(world.desk_officer)
    response = client.get(reverse("onestop:queue", args=["all"]), {"sap_xep": "nhan"})
    html = response.content.decode()
    assert "Trang 1/2" in html
    assert "sap_xep=nhan&amp;trang=2" in html
    html = client.get(reverse("onestop:queue", args=["all"]), {"sap_xep": "nhan", "trang": 2}).content.decode()
    assert "-260424-0030" in html and "-260424-0001" not in html


def test_the_promised_date_is_shown_after_an_apology(as_user, world, receive):
    dossier = receive("2026-04-24 09:00")
    services.issue_apology(dossier, actor=world.leader, reason="Chờ xác minh",
                           new_due_at="2026-05-12T16:00", at=at("2026-05-04 09:00"))
    html = as_user(world.desk_officer).get(reverse("onestop:home")).content.decode()
    assert "16:00 12/05/2026" in html and "hẹn lại" in html


def test_a_processed_dossier_waits_in_the_desks_queue(as_user, world, receive):
    dossier = receive("2026-04-24 09:00")
    services.transfer_dossier(dossier, actor=world.desk_officer, at=at("2026-04-24 10:00"))
    services.transfer_dossier(dossier, actor=world.specialist, at=at("2026-04-27 10:00"))
    services.approve_dossier(dossier, actor=world.leader, at=at("2026-04-28 10:00"))
    html = as_user(world.desk_officer).get(reverse("onestop:home")).content.decode()
    assert dossier.code in html


def test_the_desk_gets_its_register_for_the_filtered_period(as_user, world, receive):
    from cchc.onestop.templatetags.onestop_tags import register_url

    receive()
    url = register_url(world.desk.code, "pdf")
    if not url:
        pytest.skip("onestop:register is not installed")
    client = as_user(world.desk_officer)
    assert url in client.get(reverse("onestop:home")).content.decode()
    html = client.get(reverse("onestop:home"), {"tu_ngay": "2026-04-01", "den_ngay": "2026-04-30"}).content.decode()
    assert f"{url}?tu=2026-04-01&amp;den=2026-04-30" in html
    assert url not in as_user(world.specialist).get(reverse("onestop:home")).content.decode()
