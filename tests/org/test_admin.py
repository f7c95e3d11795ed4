import pytest
from django.urls import reverse

from cchc.org.models import AdministrativeUnit, Agency, Membership, Role, User


@pytest.fixture
def staff(admin_client):
    return admin_client


def test_unit_admin_is_read_only_and_searchable(staff, dong_thap):
    url = reverse("admin:org_administrativeunit_changelist")
    response = staff.get(url, {"q": "hong ngu", "era__exact": "pre2025", "level__exact": "district"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Thành phố Hồng Ngự" in text and "Huyện Hồng Ngự" in text
    assert "Huyện Tân Hồng" not in text

    unit = AdministrativeUnit.objects.get(era="pre2025", code="868")
    page = staff.get(reverse("admin:org_administrativeunit_change", args=[unit.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Phường An Bình (2025:29954)" in body
    assert 'name="_save"' not in body
    assert staff.get(reverse("admin:org_administrativeunit_add")).status_code == 403


def test_agency_admin_goes_through_services(staff, dong_thap):
    province = AdministrativeUnit.objects.get(era="2025", code="82")
    url = reverse("admin:org_agency_add")
    data = {"unit": province.pk, "code": "000.00.01.h82", "name": "Sở Nội vụ tỉnh Đồng Tháp",
            "kind": "department", "is_home_affairs": "on", "active": "on"}
    assert staff.post(url, data).status_code == 302
    agency = Agency.objects.get()
    assert agency.code == "000.00.01.H82" and agency.name_folded.startswith("so noi vu")

    again = staff.post(url, {**data, "code": "000.00.01.H82"})
    assert again.status_code == 200
    assert "đã được dùng cho cơ quan khác" in again.content.decode()
    other = staff.post(url, {**data, "code": "000.00.02.H82"})
    assert "đã có cơ quan nội vụ" in other.content.decode()
    assert Agency.objects.count() == 1

    change = reverse("admin:org_agency_change", args=[agency.pk])
    assert staff.get(change).status_code == 200
    response = staff.post(change, {"code": "000.00.01.H82", "name": "Sở Nội vụ",
                                   "kind": "department", "active": "on"})
    assert response.status_code == 302
    agency.refresh_from_db()
    assert (agency.name, agency.is_home_affairs, agency.unit) == ("Sở Nội vụ", False, province)
    assert staff.get(reverse("admin:org_agency_changelist"), {"q": "noi vu"}).status_code == 200


def test_user_admin_with_memberships(staff, dong_thap):
    province = AdministrativeUnit.objects.get(era="2025", code="82")
    user = User.objects.create_user("motcua.tinh", password="x" * 12, full_name="Nguyễn Văn A",
                                    phone="0277 3851 234")
    Membership.objects.create(user=user, unit=province, role=Role.DESK_OFFICER)
    page = staff.get(reverse("admin:org_user_change", args=[user.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Nguyễn Văn A" in body and "0277 3851 234" in body and "memberships-0-role" in body
    changelist = staff.get(reverse("admin:org_user_changelist"), {"q": "Nguyễn"})
    assert "motcua.tinh" in changelist.content.decode()
    assert staff.get(reverse("admin:org_user_add")).status_code == 200


def test_autocomplete_units(staff, dong_thap):
    response = staff.get(reverse("admin:autocomplete"), {
        "app_label": "org", "model_name": "agency", "field_name": "unit", "term": "dong thap",
    })
    assert response.status_code == 200
    assert any("Đồng Tháp" in r["text"] for r in response.json()["results"])


def test_add_user_with_name_and_phone(staff, db):
    response = staff.post(reverse("admin:org_user_add"), {
        "username": "chuyenvien.noivu", "full_name": "Trần Thị B", "phone": "0909 000 111",
        "usable_password": "true", "password1": "mat-khau-dai-12", "password2": "mat-khau-dai-12",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="chuyenvien.noivu")
    assert (user.full_name, user.phone, str(user)) == ("Trần Thị B", "0909 000 111", "Trần Thị B")
    assert user.check_password("mat-khau-dai-12")
