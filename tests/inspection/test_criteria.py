"""Criteria sets: edited as a whole by the province's Home Affairs administrator while no
inspection uses them (points adding up to 100, every error at once, in Vietnamese); a set in
use is never changed in place but copied as a new version."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cchc.errors import Forbidden, InvalidInput, InvalidTransition
from cchc.inspection import services
from cchc.inspection.models import CriteriaSet, CriterionItem
from cchc.org.models import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def rows_of(criteria_set):
    return [{"id": i.pk, "area_code": i.area.code, "area_name": i.area.name, "code": i.code,
             "name": i.name, "max_points": str(i.max_points), "evidence_kind": i.evidence_kind,
             "guidance": i.guidance}
            for i in CriterionItem.objects.filter(area__criteria_set=criteria_set)
            .select_related("area")]


@pytest.fixture
def fresh_set(home_affairs):
    return services.copy_criteria_set(services.ensure_default_criteria(), actor=home_affairs)


def test_copy_is_a_new_version_with_the_same_criteria(home_affairs):
    default = services.ensure_default_criteria()
    copy = services.copy_criteria_set(default, actor=home_affairs)
    again = services.copy_criteria_set(copy, actor=home_affairs, name="Bộ tiêu chí 2027")
    assert (copy.version, again.version) == (2, 3)
    assert copy.derived_from == default and not copy.is_default
    assert "phiên bản 2" in copy.name and again.name == "Bộ tiêu chí 2027"
    assert [(r["code"], r["max_points"], r["evidence_kind"]) for r in rows_of(copy)] == [
        (r["code"], r["max_points"], r["evidence_kind"]) for r in rows_of(default)]
    assert copy.total_points == Decimal(100)


def test_edit_adds_reorders_and_removes_criteria(home_affairs, fresh_set):
    rows = rows_of(fresh_set)
    kept = {r["code"]: r for r in rows}
    # VI.1 (5 points) is removed, III.2 goes down to 2 points, a new 8-point criterion is
    # added in a new area placed first, and II moves after III.
    del kept["VI.1"]
    kept["III.2"]["max_points"] = "2"
    new = {"area_code": "0", "area_name": "Công tác kiểm tra CCHC", "code": "0.1",
           "name": "Tự kiểm tra CCHC", "max_points": "8", "evidence_kind": "manual",
           "guidance": ""}
    order = [new] + [r for c, r in kept.items() if not c.startswith("II.")] + [kept["II.1"]]
    services.update_criteria_set(fresh_set, actor=home_affairs, rows=order,
                                 name="Bộ tiêu chí sửa đổi")
    fresh_set.refresh_from_db()
    assert fresh_set.name == "Bộ tiêu chí sửa đổi" and fresh_set.total_points == 100
    assert list(fresh_set.areas.values_list("code", flat=True)) == [
        "0", "I", "III", "IV", "V", "II"]
    items = CriterionItem.objects.filter(area__criteria_set=fresh_set)
    assert not items.filter(code="VI.1").exists()
    assert items.get(code="III.2").max_points == Decimal(2)
    assert items.get(code="III.2").pk == kept["III.2"]["id"]  # identity kept
    assert items.get(code="0.1").area.name == "Công tác kiểm tra CCHC"


def test_points_must_add_up_and_errors_are_clear(home_affairs, fresh_set):
    rows = rows_of(fresh_set)
    rows[0]["max_points"] = "15"
    with pytest.raises(InvalidInput) as error:
        services.update_criteria_set(fresh_set, actor=home_affairs, rows=rows)
    assert error.value.fields["total"] == [
        "Tổng điểm tối đa của các tiêu chí phải bằng 100 (hiện là 105)."]
    rows[0]["max_points"] = "abc"
    rows[1]["code"] = rows[2]["code"]
    rows[3]["name"] = ""
    rows[4]["area_name"] = "Tên khác"
    with pytest.raises(InvalidInput) as error:
        services.update_criteria_set(fresh_set, actor=home_affairs, rows=rows)
    messages = error.value.fields["rows"]
    assert messages[0] == "Dòng 1: điểm tối đa phải là một số."
    assert any(m.startswith("Dòng 3: mã tiêu chí") and "bị trùng" in m for m in messages)
    assert "Dòng 4: thiếu tên tiêu chí." in messages
    assert any(m.startswith("Dòng 5: lĩnh vực III đã có tên khác") for m in messages)
    with pytest.raises(InvalidInput) as error:
        services.update_criteria_set(fresh_set, actor=home_affairs, rows=[])
    assert error.value.fields["rows"] == ["Bộ tiêu chí phải có ít nhất một tiêu chí."]
    assert fresh_set.total_points == 100  # nothing changed


def test_a_set_in_use_is_never_changed_in_place(home_affairs, inspection):
    used = inspection.plan.criteria_set
    assert used.in_use
    with pytest.raises(InvalidTransition) as error:
        services.update_criteria_set(used, actor=home_affairs, rows=rows_of(used))
    assert "sao chép thành phiên bản mới" in str(error.value.message)
    copy = services.copy_criteria_set(used, actor=home_affairs)
    assert not copy.in_use
    # The Django admin does not offer a way round it either.
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = UserFactory(username="root", is_superuser=True, is_staff=True)
    set_admin = admin.site._registry[CriteriaSet]
    assert not set_admin.has_change_permission(request, used)
    assert not admin.site._registry[used.areas.model].has_delete_permission(
        request, used.areas.first())
    assert set_admin.has_change_permission(request, copy)
    services.update_criteria_set(copy, actor=home_affairs, rows=rows_of(copy)[:-1] + [
        {**rows_of(copy)[-1], "id": None}])
    assert CriteriaSet.objects.get(pk=copy.pk).total_points == 100


def test_only_the_province_home_affairs_administrator_edits(world, inspector, fresh_set):
    district_admin = UserFactory(username="noivu.xa")
    MembershipFactory(user=district_admin, unit=world.commune, role=Role.HOME_AFFAIRS_ADMIN)
    for actor in (inspector, district_admin, world.leader):
        with pytest.raises(Forbidden):
            services.update_criteria_set(fresh_set, actor=actor, rows=rows_of(fresh_set))
        with pytest.raises(Forbidden):
            services.copy_criteria_set(fresh_set, actor=actor)


def test_plan_uses_the_chosen_set(world, inspector, home_affairs, fresh_set):
    import datetime

    services.make_default_criteria_set(fresh_set, actor=home_affairs)
    assert list(CriteriaSet.objects.filter(is_default=True)) == [fresh_set]
    plan = services.create_inspection_plan(
        actor=inspector, province=world.province, year=2027, title="KH 2027",
        decision_number="1/QĐ", decision_date=datetime.date(2027, 1, 5), issuer="Sở Nội vụ",
        units=[world.commune], period_start=datetime.date(2027, 1, 1),
        period_end=datetime.date(2027, 12, 31))
    assert plan.criteria_set == fresh_set
    fresh_set.refresh_from_db()
    assert fresh_set.in_use


# --- pages ------------------------------------------------------------------------------------


def formset_data(rows, name="Bộ tiêu chí thử", extra=()):
    data = {"name": name, "rows-TOTAL_FORMS": str(len(rows) + len(extra)),
            "rows-INITIAL_FORMS": str(len(rows)), "rows-MIN_NUM_FORMS": "0",
            "rows-MAX_NUM_FORMS": "200"}
    for i, row in enumerate(list(rows) + list(extra)):
        for key, value in row.items():
            data[f"rows-{i}-{key}"] = "" if value is None else value
    return data


def test_editor_page_saves_reorders_and_reports_errors(client, home_affairs, fresh_set):
    client.force_login(home_affairs)
    url = reverse("inspection:criteria", args=[fresh_set.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Lưu bộ tiêu chí" in page.content.decode()
    rows = [{**r, "order": str((n + 1) * 10)} for n, r in enumerate(rows_of(fresh_set))]
    # Move the last criterion (VI.1) first, split its 5 points with a new row.
    rows[-1]["order"] = "1"
    rows[-1]["max_points"] = "3"
    new = {"order": "2", "area_code": "VI", "area_name": "Chuyển đổi số", "code": "VI.2",
           "name": "Cổng dịch vụ công", "max_points": "1", "evidence_kind": "manual"}
    response = client.post(url, formset_data(rows, extra=[new]))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Tổng điểm tối đa của các tiêu chí phải bằng 100 (hiện là 99)." in text
    new["max_points"] = "2"
    response = client.post(url, formset_data(rows, extra=[new]))
    assert response.status_code == 302
    fresh_set.refresh_from_db()
    assert list(fresh_set.areas.values_list("code", flat=True))[0] == "VI"
    assert list(fresh_set.areas.get(code="VI").items.values_list("code", "max_points")) == [
        ("VI.1", Decimal(3)), ("VI.2", Decimal(2))]
    # Removing a row (DELETE) leaves 97 points: refused, line numbers as on the page.
    rows = [{**r, "order": str((n + 1) * 10)} for n, r in enumerate(rows_of(fresh_set))]
    rows[0]["DELETE"] = "on"
    rows[2]["max_points"] = "-1"
    response = client.post(url, formset_data(rows))
    assert response.status_code == 400
    assert "Dòng 3: điểm tối đa phải lớn hơn 0 và không quá 100." in response.content.decode()


def test_a_used_set_offers_a_new_version_instead(client, home_affairs, inspection):
    used = inspection.plan.criteria_set
    client.force_login(home_affairs)
    url = reverse("inspection:criteria", args=[used.pk])
    text = client.get(url).content.decode()
    assert "Sao chép thành phiên bản mới" in text and "Lưu bộ tiêu chí" not in text
    response = client.post(url, formset_data([{**r, "max_points": "1"}
                                              for r in rows_of(used)]))
    assert response.status_code == 409
    assert CriterionItem.objects.filter(area__criteria_set=used).first().max_points != 1
    response = client.post(reverse("inspection:criteria_copy", args=[used.pk]))
    copy = CriteriaSet.objects.get(derived_from=used)
    assert response.status_code == 302 and response["Location"].endswith(
        reverse("inspection:criteria", args=[copy.pk]))
    assert "Lưu bộ tiêu chí" in client.get(response["Location"]).content.decode()


def test_others_cannot_see_or_change_criteria(client, world, inspector, fresh_set):
    url = reverse("inspection:criteria", args=[fresh_set.pk])
    client.force_login(world.leader)  # a commune leader
    assert client.get(reverse("inspection:criteria_list")).status_code == 404
    assert client.get(url).status_code == 404
    assert client.post(reverse("inspection:criteria_copy", args=[fresh_set.pk])).status_code == 404
    client.force_login(inspector)  # sees, does not edit
    text = client.get(url).content.decode()
    assert 'id="criteria"' in text and "Lưu bộ tiêu chí" not in text and fresh_set.name in text
    assert client.post(url, formset_data(rows_of(fresh_set))).status_code == 404
    assert client.post(reverse("inspection:criteria_copy", args=[fresh_set.pk])).status_code == 404
    assert CriteriaSet.objects.count() == 2
