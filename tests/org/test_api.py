import pytest

from cchc.org.models import AdministrativeUnit

URL = "/api/v1/units/"
AGENCIES = "/api/v1/agencies/"


def test_list_is_public_and_paginated(api, dong_thap):
    response = api.get(URL, {"province": "82", "page_size": 10})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 103
    assert len(body["results"]) == 10
    assert body["results"][0] == {
        "key": "2025:82", "era": "2025", "code": "82", "name": "Tỉnh Đồng Tháp",
        "division_type": "tỉnh", "level": "province", "parent": None,
        "valid_from": "2025-07-01", "valid_to": None, "successors": [],
    }
    assert "page=2" in body["next"]


def test_public_even_with_a_bad_token(api, dong_thap):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get(URL).status_code == 200


def test_unit_detail(api, dong_thap):
    response = api.get(f"{URL}pre2025:868/")
    assert response.status_code == 200
    assert response.json() == {
        "key": "pre2025:868", "era": "pre2025", "code": "868", "name": "Thành phố Hồng Ngự",
        "division_type": "thành phố", "level": "district", "parent": "pre2025:87",
        "valid_from": None, "valid_to": "2025-06-30",
        "successors": ["2025:29954", "2025:29955", "2025:29978"],
    }
    assert api.get(f"{URL}82/").json()["key"] == "2025:82"


def test_unit_detail_errors(api, dong_thap):
    missing = api.get(f"{URL}2025:99/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert "2025:99" in missing.json()["detail"]
    bad = api.get(f"{URL}1975:82/")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_unit_key"


def test_filters(api, dong_thap):
    def count(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return response.json()["count"]

    assert count(province="82", include_predecessors="true") == 433
    assert count(province="pre2025:87", level="district") == 12
    assert count(era="pre2025", valid_on="2025-06-30") == 330
    assert count(valid_on="2025-07-01") == 103
    assert count(parent="pre2025:868") == 7
    assert count(search="HONG NGU", level="district") == 2
    names = [u["name"] for u in api.get(URL, {"search": "tan hong", "era": "pre2025",
                                              "level": "district"}).json()["results"]]
    assert names == ["Huyện Tân Hồng"]


def test_query_count_does_not_grow(api, dong_thap, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = api.get(URL, {"page_size": 500})
    assert len(response.json()["results"]) == 433


@pytest.mark.parametrize(
    "params, field",
    [
        ({"valid_on": "2025-13-01"}, "valid_on"),
        ({"valid_on": "01/07/2025"}, "valid_on"),
        ({"level": "ward"}, "level"),
        ({"era": "2024"}, "era"),
        ({"province": "Đồng Tháp"}, "province"),
        ({"province": "1975:82"}, "province"),
        ({"parent": "x"}, "parent"),
        ({"include_predecessors": "maybe"}, "include_predecessors"),
        ({"search": "x" * 101}, "search"),
    ],
)
def test_bad_filters_are_400(api, dong_thap, params, field):
    response = api.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_filter"
    assert body["detail"] == "Tham số lọc không hợp lệ."
    assert list(body["errors"]) == [field]


def test_messages_are_vietnamese(api, db):
    body = api.get(URL, {"valid_on": "hôm qua", "level": "ward"}).json()
    assert body["errors"]["valid_on"] == [
        "Ngày không hợp lệ: dùng dạng YYYY-MM-DD, ví dụ 2025-07-01."
    ]
    assert body["errors"]["level"] == [
        "Cấp không hợp lệ: dùng province, district hoặc commune."
    ]


@pytest.mark.parametrize("params", [{"page": "abc"}, {"page": "0"}, {"page_size": "-5"},
                                    {"page_size": "x"}])
def test_bad_page_is_400(api, dong_thap, params):
    for url in (URL, AGENCIES):
        response = api.get(url, params)
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_page"
        assert list(response.json()["errors"]) == list(params)


def test_page_past_the_end_is_404(api, dong_thap):
    assert api.get(URL, {"page": "99"}).status_code == 404
    assert api.get(URL, {"page": "last"}).status_code == 200


def test_read_only(api, dong_thap):
    assert api.post(URL, {}).status_code == 405
    assert api.delete(f"{URL}2025:82/").status_code == 405
    assert AdministrativeUnit.objects.count() == 433


def test_agency_list_and_detail(api, dong_thap_agencies):
    body = api.get(AGENCIES, {"province": "82", "home_affairs": "true"}).json()
    assert body["count"] == 1
    assert body["results"][0] == {
        "code": "000.00.01.H82", "name": "Sở Nội vụ tỉnh Đồng Tháp", "kind": "department",
        "unit": "2025:82", "unit_name": "Tỉnh Đồng Tháp", "parent": "000.00.00.H82",
        "is_home_affairs": True, "active": True,
    }
    detail = api.get(f"{AGENCIES}000.01.62.H87/")
    assert detail.status_code == 200
    assert detail.json()["name"] == "Phòng Nội vụ thành phố Hồng Ngự"
    assert detail.json()["unit"] == "pre2025:868"
    assert api.get(f"{AGENCIES}000.00.99.H82/").status_code == 404


def test_agency_filters(api, dong_thap_agencies):
    def count(**params):
        response = api.get(AGENCIES, params)
        assert response.status_code == 200, response.json()
        return response.json()["count"]

    total = len(dong_thap_agencies)
    assert count() == total
    assert count(home_affairs="false") == total - 4
    assert count(kind="ubnd", level="province") == 3
    assert count(unit="pre2025:868") == 4
    assert count(parent="000.00.62.H87") == 3
    assert count(era="pre2025", valid_on="2025-07-01") == 0
    assert count(search="phong noi vu") == 1
    assert count(province="pre2025:87") == count(province="pre2025:87", active="true")


@pytest.mark.parametrize(
    "params, field",
    [({"kind": "ministry"}, "kind"), ({"unit": "Đồng Tháp"}, "unit"),
     ({"parent": "000.00.00"}, "parent"), ({"home_affairs": "perhaps"}, "home_affairs"),
     ({"valid_on": "2025-02-30"}, "valid_on")],
)
def test_agency_bad_filters(api, db, params, field):
    response = api.get(AGENCIES, params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_filter"
    assert field in response.json()["errors"]


def test_english_when_asked(api, db):
    body = api.get(URL, {"level": "ward"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["detail"] == "Invalid filter parameters."
    assert body["errors"]["level"] == ["Invalid level: use province, district or commune."]
