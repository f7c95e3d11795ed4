"""The announcement decision page (issue #3): staff enter a decision and its procedures in one
HTML form, without JavaScript; the service applies it all or nothing."""

import datetime

import pytest

from cchc.catalog import selectors
from cchc.catalog.models import AnnouncementDecision, Procedure
from cchc.org.models import Role
from tests.factories import MembershipFactory

URL = "/thu-tuc/quyet-dinh-cong-bo/them/"
MARRIAGE = "1.000894"
DAY = datetime.date(2026, 12, 1)


def staff(client, dong_thap, role):
    membership = MembershipFactory(unit=dong_thap["province"], role=role)
    client.force_login(membership.user)
    return client


@pytest.fixture
def catalog_admin(client, demo_catalog):
    return staff(client, demo_catalog, Role.HOME_AFFAIRS_ADMIN)


def management(total=3):
    return {"items-TOTAL_FORMS": str(total), "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "60"}


def head(**extra):
    data = {"number": "1999/QĐ-UBND", "title": "Công bố thủ tục hành chính sửa đổi",
            "issued_on": "2026-11-20", "effective_on": "2026-12-01",
            "issuer": "Chủ tịch Ủy ban nhân dân tỉnh Đồng Tháp", "issuer_kind": "province",
            "issuing_agency": "000.00.00.H20"}
    data.update(extra)
    return data


def row(index, **fields):
    return {f"items-{index}-{key}": value for key, value in fields.items()}


def local_code(base):
    return Procedure.objects.get(base_code=base).code


def test_permission(client, demo_catalog):
    assert client.get(URL).status_code == 302  # login first
    staff(client, demo_catalog, Role.DESK_OFFICER)
    assert client.get(URL).status_code == 403
    html = client.get("/thu-tuc/quyet-dinh-cong-bo/").content.decode()
    assert URL not in html  # no link for those who may not use it
    response = client.post(URL, {**management(), **head(),
                                 **row(0, action="abolished", procedure=local_code(MARRIAGE))})
    assert response.status_code == 403
    assert not AnnouncementDecision.objects.filter(number="1999/QĐ-UBND").exists()


def test_page_and_links(catalog_admin):
    html = catalog_admin.get("/thu-tuc/quyet-dinh-cong-bo/").content.decode()
    assert f'href="{URL}"' in html
    assert "/thu-tuc/quyet-dinh-cong-bo/" in catalog_admin.get("/").content.decode()
    response = catalog_admin.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Ghi nhận quyết định công bố", "Số quyết định", "Người ký, cơ quan ban hành",
                 "Ngày có hiệu lực", "Thủ tục thứ 3", "Ban hành mới", "Sửa đổi, bổ sung",
                 "Thay thế", "Bãi bỏ", "Thành phần hồ sơ", 'name="them_dong"'):
        assert text in html, text
    assert "Thủ tục thứ 4" not in html


def test_add_rows_without_javascript(catalog_admin):
    response = catalog_admin.post(URL, {**management(3), **head(), "them_dong": "1",
                                        **row(0, action="abolished", procedure="x")})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thủ tục thứ 6" in html and "Thủ tục thứ 7" not in html
    assert 'value="1999/QĐ-UBND"' in html  # what was typed is kept
    assert "field__error" not in html  # adding rows does not validate yet
    assert not AnnouncementDecision.objects.filter(number="1999/QĐ-UBND").exists()


def test_new_amended_replaced_and_abolished_in_one_decision(catalog_admin, demo_catalog):
    marriage = local_code(MARRIAGE)
    abolished = local_code("2.000635")
    replaced = local_code("1.004873")
    data = {**management(6), **head(),
            **row(0, action="new", base_code="1.099001", name="Đăng ký giám hộ thử nghiệm",
                  level="commune", field="ho-tich", days_direct="3", fee_direct="5.000",
                  days_online="2,5", components="Tờ khai đăng ký giám hộ|1|0|0\nGiấy tờ chứng minh",
                  legal_basis="Luật Hộ tịch năm 2014"),
            **row(1, action="amended", procedure=marriage, days_direct="4", fee_direct="0",
                  note="Rút ngắn thời hạn"),
            **row(2, action="replaced", procedure=replaced, base_code="1.099002",
                  name="Thủ tục thay thế thử nghiệm"),
            **row(3, action="abolished", procedure=abolished, effective_on="2026-12-15")}
    response = catalog_admin.post(URL, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    decision = AnnouncementDecision.objects.get(number="1999/QĐ-UBND")
    assert response.url == f"/thu-tuc/quyet-dinh-cong-bo/{decision.pk}/"
    assert decision.issuer_kind == "province" and decision.issuing_agency.code == "000.00.00.H20"
    assert list(decision.items.values_list("position", "action")) == [
        (1, "new"), (2, "amended"), (3, "replaced"), (4, "abolished")]

    new = Procedure.objects.get(code="1.099001.000.00.00.H20")
    version = selectors.procedure_as_of(new, DAY).version
    assert version.name == "Đăng ký giám hộ thử nghiệm" and version.level == "commune"
    methods = {m.channel: (m.days, m.fee) for m in version.methods.all()}
    assert methods == {"direct": (3, 5000), "online": (2.5, 0)}
    assert [(c.name, c.originals) for c in version.components.all()] == [
        ("Tờ khai đăng ký giám hộ", 1), ("Giấy tờ chứng minh", 1)]
    assert version.effective_from == DAY and version.item.decision == decision

    amended = Procedure.objects.get(code=marriage)
    before = selectors.procedure_as_of(amended, DAY - datetime.timedelta(days=1)).version
    after = selectors.procedure_as_of(amended, DAY).version
    assert after.number == before.number + 1 and after.name == before.name  # rest copied
    assert [(m.channel, m.days) for m in after.methods.all()] == [("direct", 4)]
    assert after.components.count() == before.components.count()

    old = Procedure.objects.get(code=replaced)
    assert old.abolished_on == DAY and old.replaced_by.code == "1.099002.000.00.00.H20"
    assert selectors.procedure_as_of(old.replaced_by, DAY).version.name == "Thủ tục thay thế thử nghiệm"
    assert Procedure.objects.get(code=abolished).abolished_on == datetime.date(2026, 12, 15)

    html = catalog_admin.get(response.url).content.decode()
    assert "Đã ghi nhận quyết định 1999/QĐ-UBND với 4 thủ tục." in html
    assert "1.099001.000.00.00.H20" in html and "Rút ngắn thời hạn" in html


@pytest.mark.parametrize(("data", "messages"), [
    ({**head(number=""), **row(0, action="abolished", procedure="1.000894.000.00.00.H20")},
     ["Trường này là bắt buộc."]),
    ({**head(issued_on="31/02/2026"), **row(0, action="abolished", procedure="x")},
     ["Nhập một ngày hợp lệ."]),
    ({**head(effective_on="2026-11-01"), **row(0, action="abolished", procedure="x")},
     ["Ngày có hiệu lực không được trước ngày ban hành."]),
    (head(), ["Quyết định công bố phải có ít nhất một thủ tục."]),
    ({**head(), **row(0, procedure="1.000894.000.00.00.H20")}, ["Chọn nội dung công bố"]),
    ({**head(), **row(0, action="new", base_code="1.099001", name="X", level="commune")},
     ["Thông tin này là bắt buộc với nội dung “Ban hành mới”.",
      "Thủ tục mới cần thời hạn giải quyết"]),
    ({**head(), **row(0, action="amended", procedure="1.000894.000.00.00.H20")},
     ["nhập ít nhất một thông tin thay đổi"]),
    ({**head(), **row(0, action="amended", procedure="1.000894.000.00.00.H20",
                      days_direct="1.3", fee_direct="abc")},
     ["Phí, lệ phí phải là số tiền nguyên (đồng)."]),
    ({**head(), **row(0, action="amended", procedure="1.000894.000.00.00.H20",
                      components="A|1|x|0")}, ["Số bản sao chứng thực phải là số nguyên không âm."]),
    ({**head(), **row(0, action="abolished", procedure="1.000894.000.00.00.H20", name="Mới")},
     ["Thủ tục bị bãi bỏ không có phiên bản mới"]),
])
def test_bad_input_is_shown_in_vietnamese(catalog_admin, data, messages):
    response = catalog_admin.post(URL, {**management(), **data})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Chưa ghi nhận quyết định" in html
    for message in messages:
        assert message in html, message
    assert not AnnouncementDecision.objects.filter(number="1999/QĐ-UBND").exists()


def test_service_errors_land_on_their_row_and_nothing_is_half_recorded(catalog_admin):
    marriage = local_code(MARRIAGE)
    before = Procedure.objects.count()
    data = {**management(), **head(),
            **row(0, action="new", base_code="1.099001", name="Thủ tục mới", level="commune",
                  field="ho-tich", days_direct="1"),
            **row(1, action="amended", procedure="9.999999.000.00.00.H20", days_direct="1"),
            **row(2, action="amended", procedure=marriage, days_direct="1.3")}
    response = catalog_admin.post(URL, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Không có thủ tục mã “9.999999.000.00.00.H20”." in html or "Không có thủ tục này." in html
    assert Procedure.objects.count() == before  # the valid new row was rolled back too
    assert not AnnouncementDecision.objects.filter(number="1999/QĐ-UBND").exists()

    # a half-day rule error from the service, on the direct way of filing of row 3
    data = {**management(), **head(), **row(0, action="amended", procedure=marriage,
                                             days_direct="1.3")}
    html = catalog_admin.post(URL, data).content.decode()
    assert "chỉ cho phép số nguyên hoặc nửa ngày" in html

    # an effective date before the current version: the service refuses (409 → page, no 500)
    data = {**management(), **head(issued_on="2020-01-01", effective_on="2020-01-10"),
            **row(0, action="amended", procedure=marriage, days_direct="1")}
    response = catalog_admin.post(URL, data)
    assert response.status_code == 400
    assert "phải sau ngày hiệu lực của phiên bản hiện hành" in response.content.decode()

    # a number already recorded
    data = {**management(), **head(number="415/QĐ-UBND"),
            **row(0, action="amended", procedure=marriage, days_direct="1")}
    html = catalog_admin.post(URL, data).content.decode()
    assert "Quyết định số 415/QĐ-UBND đã được ghi nhận." in html


@pytest.mark.parametrize("total", ["abc", "-5", "100000"])
def test_tampered_management_form_is_not_a_500(catalog_admin, total):
    data = {**management(), **head(), "items-TOTAL_FORMS": total,
            **row(0, action="abolished", procedure="x")}
    assert catalog_admin.post(URL, data).status_code == 400
    assert catalog_admin.post(URL, {**data, "them_dong": "1"}).status_code == 200
