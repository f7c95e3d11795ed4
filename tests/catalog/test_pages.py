"""Public catalog pages, the posting sheet PDF, the staff pages and the admin."""

import pytest

from tests.catalog.pdftext import font_names, page_count, pdf_text

CODE = "1.001193.000.00.00.H20"


def squash(text: str) -> str:
    return "".join(text.split())


def test_search_page_without_diacritics(demo_catalog, client):
    response = client.get("/thu-tuc/", {"q": "dang ky khai sinh"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đăng ký khai sinh" in html and f"/thu-tuc/{CODE}/" in html
    assert "Đăng ký kết hôn" not in html


def test_list_is_paginated_and_filtered(demo_catalog, client):
    html = client.get("/thu-tuc/").content.decode()
    assert "Trang 1/3" in html and "trang=2" in html
    html = client.get("/thu-tuc/", {"linh_vuc": "viec-lam", "cap": "province"}).content.decode()
    assert html.count("giấy phép lao động") == 3
    html = client.get("/thu-tuc/", {"co_quan": "Sở Nội vụ", "cach_thuc": "online"}).content.decode()
    assert "Gia hạn giấy phép lao động" in html
    html = client.get("/thu-tuc/", {"trang_thai": "abolished", "q": "xay dung"}).content.decode()
    assert "nhà ở riêng lẻ" in html and "Bãi bỏ" in html
    assert client.get("/thu-tuc/", {"trang": "abc"}).status_code == 200


@pytest.mark.parametrize("query", [{"cap": "thon"}, {"linh_vuc": "khong-co"}, {"ngay": "31/02/2026"},
                                   {"ngay": "0001-01-01"}, {"q": "x" * 300}, {"q": "a\x00b"},
                                   {"cach_thuc": "fax"}, {"trang_thai": "?"}])
def test_bad_filters_are_400(demo_catalog, client, query):
    assert client.get("/thu-tuc/", query).status_code == 400


def test_detail_page_with_components_and_history(demo_catalog, client):
    html = client.get(f"/thu-tuc/{CODE}/").content.decode()
    for text in ("Tờ khai đăng ký khai sinh theo mẫu", "Giấy chứng sinh",
                 "Văn bản ủy quyền có chứng thực", "Cơ sở dữ liệu quốc gia về dân cư",
                 "Lịch sử phiên bản", "415/QĐ-UBND", "52/QĐ-UBND-HC", "trong ngày"):
        assert text in html, text
    old = client.get(f"/thu-tuc/{CODE}/", {"ngay": "2025-01-01"}).content.decode()
    assert "Cơ sở dữ liệu quốc gia về dân cư" not in old
    abolished = client.get("/thu-tuc/1.009974.000.00.00.H20/").content.decode()
    assert "đã bị bãi bỏ từ ngày 01/07/2025" in abolished
    assert "1.013225.000.00.00.H20" in abolished
    assert client.get("/thu-tuc/1.001193/").url == f"/thu-tuc/{CODE}/"
    assert client.get("/thu-tuc/9.999999/").status_code == 404
    assert client.get(f"/thu-tuc/{CODE}/", {"ngay": "xx"}).status_code == 400


def test_posting_sheet_pdf(demo_catalog, client):
    response = client.get(f"/thu-tuc/{CODE}/niem-yet.pdf", {"ngay": "2026-11-27"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert page_count(response.content) >= 1
    text = squash(pdf_text(response.content))
    for expected in ("NIÊMYẾTTHỦTỤCHÀNHCHÍNH", "ĐĂNGKÝKHAISINH", CODE, "Giấychứngsinh",
                     "Tờkhaiđăngkýkhaisinhtheomẫu", "Ủybannhândâncấpxã", "LuậtHộtịchnăm2014",
                     "CỘNGHÒAXÃHỘICHỦNGHĨAVIỆTNAM", "Độclập-Tựdo-Hạnhphúc"):
        assert squash(expected) in text, expected
    assert "Liberation-Serif" in font_names(response.content)  # Times-metric serif (ND 30/2020)
    assert client.get(f"/thu-tuc/{CODE}/niem-yet.pdf", {"ngay": "x"}).status_code == 400


def test_staff_pages(demo_catalog, client, admin_client):
    assert client.get("/thu-tuc/quyet-dinh-cong-bo/").status_code == 302
    html = admin_client.get("/thu-tuc/quyet-dinh-cong-bo/").content.decode()
    assert "1632/QĐ-UBND" in html and "chậm" in html
    from cchc.catalog.models import AnnouncementDecision

    decision = AnnouncementDecision.objects.get(number="1632/QĐ-UBND")
    html = admin_client.get(f"/thu-tuc/quyet-dinh-cong-bo/{decision.pk}/").content.decode()
    assert "Thay thế" in html and "1.013225.000.00.00.H20" in html and "26/06/2025" in html
    html = admin_client.get("/thu-tuc/niem-yet/", {"ngay": "2026-11-27"}).content.decode()
    assert "Trung tâm Phục vụ hành chính công tỉnh Đồng Tháp" in html and "còn thiếu sót" in html
    html = admin_client.get("/thu-tuc/niem-yet/000.00.01.H20/",
                            {"ngay": "2026-11-27"}).content.decode()
    assert "Cấp lại giấy phép lao động" in html and "đang niêm yết phiên bản 1" in html


def test_admin_with_history(demo_catalog, admin_client):
    from cchc.catalog.models import Procedure

    procedure = Procedure.objects.get(code=CODE)
    for url in ("/quan-tri/catalog/procedure/", f"/quan-tri/catalog/procedure/{procedure.pk}/change/",
                f"/quan-tri/catalog/procedure/{procedure.pk}/history/",
                "/quan-tri/catalog/procedureversion/", "/quan-tri/catalog/announcementdecision/",
                "/quan-tri/catalog/deskposting/", "/quan-tri/catalog/field/"):
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.get("/quan-tri/catalog/procedure/add/").status_code == 403


def test_posting_sheet_is_vietnamese_when_the_site_is_viewed_in_english(demo_catalog, client):
    """An official document posted at the desk: the PDF is in Vietnamese even when the reader
    chose English (its strings are translatable, and the page around it is English)."""
    from django.conf import settings
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/thu-tuc/{CODE}/", {"ngay": "2026-11-27"})
    assert page.status_code == 200 and page.headers["Content-Language"] == "en"
    with translation.override("en"):
        english = [translation.gettext(s) for s in ("Niêm yết thủ tục hành chính",
                                                    "Trình tự thực hiện")]
    assert all(e != v for e, v in zip(english, ("Niêm yết thủ tục hành chính",
                                                 "Trình tự thực hiện"), strict=True))
    response = client.get(f"/thu-tuc/{CODE}/niem-yet.pdf", {"ngay": "2026-11-27"})
    assert response.status_code == 200
    text = squash(pdf_text(response.content))
    for expected in ("NIÊMYẾTTHỦTỤCHÀNHCHÍNH", "Trìnhtựthựchiện", "CỘNGHÒAXÃHỘICHỦNGHĨAVIỆTNAM"):
        assert expected in text, expected
    for word in english:
        assert squash(word) not in text and squash(word.upper()) not in text
