"""Diacritic- and case-insensitive search (DESIGN.md: "d" matches "đ")."""

import datetime

import pytest

from cchc.catalog import selectors
from cchc.catalog.models import Channel, Field
from cchc.errors import InvalidInput

TODAY = datetime.date(2026, 11, 27)


def names(text, **filters):
    return [v.name for v in selectors.search_procedures(text, on=TODAY, **filters)]


@pytest.mark.parametrize("query", ["khai sinh", "KHAI SINH", "khải sinh", "Khai Sinh",
                                   "đăng ký khai sinh", "dang ky khai sinh", "DANG KY KHAI SINH",
                                   "  khai   sinh ", "sinh khai", "1.001193"])
def test_birth_registration_is_found(demo_catalog, query):
    assert "Đăng ký khai sinh" in names(query)


def test_d_matches_dj(demo_catalog):
    found = names("dang ky")
    assert "Đăng ký kết hôn" in found and "Đăng ký khai tử" in found
    assert all("đăng ký" in n.lower() for n in found)
    assert names("d") == names("đ")


def test_no_match_and_wildcards(demo_catalog):
    assert names("xyzxyz") == []
    assert names("%") == [] and names("_") == []


def test_filters(demo_catalog):
    civil = Field.objects.get(code="ho-tich")
    assert all(v.field == civil for v in selectors.search_procedures("", on=TODAY, field=civil))
    assert set(v.level for v in selectors.search_procedures("", on=TODAY, level="province")) == {
        "province"}
    postal = selectors.search_procedures("", on=TODAY, channel=Channel.POSTAL)
    assert "Đăng ký khai sinh" in [v.name for v in postal]
    assert "Đăng ký kết hôn lưu động" not in [v.name for v in postal]
    assert len(names("giay phep lao dong", agency_name="Sở Nội vụ")) == 3


def test_status_and_date(demo_catalog):
    abolished = names("", status="abolished")
    assert "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ" in abolished
    assert len(abolished) == 7
    assert "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ" not in names("giay phep xay dung")
    old = [v.name for v in selectors.search_procedures("giay phep xay dung",
                                                       on=datetime.date(2024, 1, 1))]
    assert old == ["Cấp điều chỉnh, gia hạn, cấp lại giấy phép xây dựng đối với nhà ở riêng lẻ",
                   "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"]
    amended = selectors.search_procedures("", on=TODAY, status="amended")
    assert all(v.status == "amended" for v in amended) and amended.count() > 10


def test_overlong_or_nul_query_is_invalid(demo_catalog):
    with pytest.raises(InvalidInput):
        list(selectors.search_procedures("a" * 201))
    with pytest.raises(InvalidInput):
        list(selectors.search_procedures("khai\x00sinh"))


def test_lookup_by_base_code(demo_catalog):
    assert selectors.get_procedure("1.001193").code == "1.001193.000.00.00.H20"
