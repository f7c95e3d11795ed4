"""Page tests: the world of tests/onestop/conftest.py, a logged-in client per role, files
stored in a temporary directory and an empty cache (the lookup throttle lives there)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.catalog.services import register_procedure

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(name="giay-to.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def fake_pdf(name="khong-phai-pdf.pdf"):
    """A text file renamed .pdf, sent with the PDF content type."""
    return SimpleUploadedFile(name, b"MZ\x90\x00 this is not a PDF", content_type="application/pdf")


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def as_user(client):
    def _as(user):
        client.force_login(user)
        return client

    return _as


@pytest.fixture
def with_components(world):
    """A procedure with published components (the desk's checklist)."""
    return register_procedure(
        base_code="2.000635", agency=world.ubnd, effective_from=datetime.date(2020, 1, 1),
        data={"level": "commune", "field": "HT", "implementing_agency": world.ubnd.code,
              "name": "Cấp bản sao trích lục hộ tịch",
              "methods": [{"channel": "direct", "days": 1, "fee": 8000}],
              "components": [
                  {"name": "Tờ khai cấp bản sao trích lục hộ tịch", "originals": 1},
                  {"name": "Giấy tờ tùy thân", "copies": 1},
              ]},
    )
