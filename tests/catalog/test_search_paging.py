"""Issue #3: a capped count ("more than N results") and pages that stay cheap at any depth:
numbered pages inside the window of the first COUNT_CAP results, then keyset (cursor) pages.
Walking every page gives every result exactly once, in the search's order, on both the page
and the API, including rows with the same name across a page boundary."""

import datetime
import re
from html import unescape

import pytest
from rest_framework.test import APIClient

from cchc.catalog import selectors, services
from cchc.errors import InvalidInput
from cchc.org.models import Agency

TODAY = datetime.date(2026, 11, 27)
CAP = 10


@pytest.fixture
def catalog(demo_catalog, monkeypatch):
    """The demo catalog (59 procedures in force) plus 7 with the same name (ties in the
    order), and a count cap of 10 so that the window ends inside the results."""
    agency = Agency.objects.get(code="000.00.00.H20")
    for n in range(7):
        services.register_procedure(
            base_code=f"2.{900000 + n}", agency=agency, effective_from=datetime.date(2026, 1, 1),
            data={"name": "Thủ tục trùng tên", "level": "commune", "field": "ho-tich",
                  "methods": [{"channel": "direct", "days": 1, "fee": 0}]})
    monkeypatch.setattr(selectors, "COUNT_CAP", CAP)
    return demo_catalog


def expected(text=""):
    return [v.pk for v in selectors.search_procedures(text, on=TODAY)]


def walk(text="", size=4):
    page = selectors.search_page(text, on=TODAY, size=size)
    pages, seen = [page], [v.pk for v in page.rows]
    while page.has_next:
        if page.next_number:
            page = selectors.search_page(text, on=TODAY, size=size, number=page.next_number)
        else:
            page = selectors.search_page(text, on=TODAY, size=size, cursor=page.next_cursor)
        pages.append(page)
        seen += [v.pk for v in page.rows]
    return pages, seen


def test_count_is_exact_up_to_the_cap_then_capped(catalog):
    assert selectors.capped_count(selectors.search_procedures("", on=TODAY)) == (CAP, False)
    assert selectors.capped_count(selectors.search_procedures("khai sinh", on=TODAY)) == (
        len(expected("khai sinh")), True)
    assert selectors.capped_count(selectors.search_procedures("", on=TODAY), cap=1000) == (66, True)
    page = selectors.search_page("", on=TODAY, size=4)
    assert (page.count, page.count_exact, page.num_pages) == (CAP, False, 3)


@pytest.mark.parametrize("walk_rows", [5000, 8, 1])  # the bounded walk, cut short, or never enough
@pytest.mark.parametrize(("text", "size"), [("", 4), ("", 3), ("", 10), ("", 7), ("tru", 3),
                                            ("khai sinh", 2), ("thu tuc", 4)])
def test_walking_every_page_gives_every_result_once_in_order(catalog, monkeypatch, text, size,
                                                             walk_rows):
    monkeypatch.setattr(selectors, "WALK_ROWS", walk_rows)
    pages, seen = walk(text, size)
    assert seen == expected(text) and len(set(seen)) == len(seen)
    assert [p.number for p in pages if p.number] == list(range(1, pages[0].num_pages + 1))
    if not pages[0].count_exact:  # past the window the pages come from a cursor
        assert pages[-1].number is None and pages[-1].next_cursor is None


def test_page_numbers_past_the_window(catalog):
    assert selectors.search_page("", on=TODAY, size=4, number=99).number == 3  # clamped
    assert selectors.search_page("", on=TODAY, size=4, number=None).number == 3  # "last"
    with pytest.raises(InvalidInput) as error:
        selectors.search_page("", on=TODAY, size=4, number=4, strict=True)
    assert error.value.code == "invalid_page"


@pytest.mark.parametrize("cursor", ["%%%", "abc", "W10", "WyJhIiwtMV0", "WzEsMl0", "bnVsbA",
                                    "WyJhIix0cnVlXQ", "x" * 2000])
def test_bad_cursors_are_invalid_input(catalog, cursor):
    with pytest.raises(InvalidInput) as error:
        selectors.search_page("", on=TODAY, cursor=cursor)
    assert error.value.code == "invalid_cursor"


def test_search_page_shows_more_than_and_walks_by_links(catalog, client):
    html = client.get("/thu-tuc/", {"ngay": "2026-11-27"}).content.decode()
    assert "Hơn 10 thủ tục" in html and "Trang 1/" not in html
    seen, url = [], "/thu-tuc/?ngay=2026-11-27"
    for _ in range(20):
        html = client.get(url).content.decode()
        seen += re.findall(r'<td class="procedure-code">([^<]+)</td>', html)
        link = re.search(r'<a href="\?([^"]+)" rel="next">', html)
        if link is None:
            break
        url = "/thu-tuc/?" + unescape(link.group(1))
    codes = [v.procedure.code for v in selectors.search_procedures("", on=TODAY)
             .select_related("procedure")]
    assert seen == codes and "sau=" in url
    assert client.get("/thu-tuc/", {"sau": "khong-hop-le"}).status_code == 400
    html = client.get("/thu-tuc/", {"q": "khai sinh", "ngay": "2026-11-27"}).content.decode()
    assert f"{len(expected('khai sinh'))} thủ tục" in html


def test_api_count_exact_and_next_links_walk_every_result(catalog):
    api = APIClient()
    body = api.get("/api/v1/procedures/", {"on": "2026-11-27", "page_size": 4}).json()
    assert body["count"] == CAP and body["count_exact"] is False and body["previous"] is None
    seen = [r["code"] for r in body["results"]]
    while body["next"]:
        body = api.get(body["next"]).json()
        seen += [r["code"] for r in body["results"]]
    codes = [v.procedure.code for v in selectors.search_procedures("", on=TODAY)
             .select_related("procedure")]
    assert seen == codes
    narrow = api.get("/api/v1/procedures/", {"search": "khai sinh", "on": "2026-11-27"}).json()
    assert narrow["count_exact"] is True and narrow["count"] == len(expected("khai sinh"))
    second = api.get("/api/v1/procedures/", {"on": "2026-11-27", "page_size": 4, "page": 2}).json()
    assert second["previous"].endswith("page_size=4") and "page=3" in second["next"]


@pytest.mark.parametrize("query", ["page=4&page_size=4", "cursor=abc", "cursor=%00",
                                   "page=%C2%B2", "page=last&page_size=4"])
def test_api_bad_pages_are_400_with_a_code(catalog, query):
    response = APIClient().get(f"/api/v1/procedures/?on=2026-11-27&{query}")
    if query.startswith("page=last"):
        assert response.status_code == 200 and response.json()["next"]  # on to the cursor pages
        return
    assert response.status_code == 400
    assert response.json()["code"] in ("invalid_page", "invalid_cursor")


def test_schema_documents_count_exact_and_cursor(catalog):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/procedures/"]["get"]
    assert "cursor" in [p["name"] for p in operation["parameters"]]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert "count_exact" in component["properties"]
