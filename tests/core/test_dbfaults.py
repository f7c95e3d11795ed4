"""A lost database connection is a clean 503 with Retry-After, not a 500 (core/dbfaults.py)."""

from unittest import mock

from django.db import OperationalError
from django.test import RequestFactory

from cchc.core.dbfaults import DatabaseUnavailableMiddleware


def test_the_api_answers_503_with_a_code_when_the_database_is_gone(client):
    with mock.patch("cchc.onestop.selectors.public_lookup",
                    side_effect=OperationalError("server closed the connection unexpectedly")):
        response = client.get("/api/v1/public/dossiers/000.10.50.H20-260424-0001/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["code"] == "database_unavailable"
    assert "cơ sở dữ liệu" in body["detail"] and "chưa được ghi nhận" in body["detail"]


def test_a_page_answers_503_in_plain_vietnamese():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = RequestFactory().get("/mot-cua/")
    response = middleware.process_exception(request, OperationalError("terminating connection"))
    assert response.status_code == 503
    assert "thử lại sau ít phút" in response.content.decode()


def test_other_errors_are_left_alone():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = RequestFactory().get("/api/v1/dossiers/")
    assert middleware.process_exception(request, ValueError("bug")) is None
