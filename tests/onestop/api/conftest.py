"""API clients for the people of the ``world`` fixture, a clean throttle cache per test, and
uploads written under the test's temporary directory."""

from types import SimpleNamespace

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.onestop.conftest import APPLICANT

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def token_client(user) -> APIClient:
    token, _ = Token.objects.get_or_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def clients(world):
    return SimpleNamespace(
        desk=token_client(world.desk_officer), specialist=token_client(world.specialist),
        leader=token_client(world.leader), outsider=token_client(world.outsider),
        anon=APIClient(),
    )


@pytest.fixture
def intake(world):
    """The body of a reception at the world's desk."""

    def _intake(**changes):
        return {"agency": world.desk.code, "procedure": world.five_days.code, "channel": 1,
                "applicant": dict(APPLICANT), "request": "", "sets": 1, **changes}

    return _intake


@pytest.fixture
def received(clients, intake):
    """A dossier received through the API (its detail body)."""
    response = clients.desk.post("/api/v1/dossiers/", intake(), format="json")
    assert response.status_code == 201, response.json()
    return response.json()
