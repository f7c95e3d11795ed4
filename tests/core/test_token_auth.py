"""Token authentication (``cchc.core.authentication.TokenAuthentication``): DRF's answers, with the
token's user read by one hand-written statement."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient

from cchc.core.authentication import TokenAuthentication
from tests.factories import UserFactory


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.django_db
def test_a_token_authenticates_its_user_in_one_statement():
    user = UserFactory(username="canbo", first_name="An")
    token = Token.objects.create(user=user)
    with CaptureQueriesContext(connection) as queries:
        found, auth = TokenAuthentication().authenticate_credentials(token.key)
    assert len(queries) == 1
    assert (found.pk, found.username, found.first_name, found.is_active) == (
        user.pk, "canbo", "An", True)
    assert found.date_joined == user.date_joined and found.last_login == user.last_login
    assert (auth.key, auth.user) == (token.key, found)
    assert client_with(token.key).get("/api/v1/dossiers/").status_code == 200


@pytest.mark.django_db
def test_an_unknown_token_or_an_inactive_user_gets_drf_answers():
    user = UserFactory(username="nghiviec", is_active=False)
    token = Token.objects.create(user=user)
    with translation.override("en"):
        with pytest.raises(AuthenticationFailed, match="User inactive or deleted."):
            TokenAuthentication().authenticate_credentials(token.key)
        with pytest.raises(AuthenticationFailed, match="Invalid token."):
            TokenAuthentication().authenticate_credentials("0" * 40)
    for key in (token.key, "0" * 40):
        assert client_with(key).get("/api/v1/dossiers/").status_code == 401
