"""Token authentication of the REST API (its own module: DRF's settings import it while
``rest_framework.views``, which ``cchc.core.api`` imports, is still loading)."""

import functools

from django.contrib.auth import get_user_model
from django.db import connections, router
from rest_framework import authentication

from cchc.core import statements


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, reading the token's user with one statement written once
    (cchc.core.statements): the ORM compiling its token-and-user join cost more CPU than
    running it, on every API request (bench/README.md, intake). A token not found, or whose
    user is inactive, is left to DRF's own method, for its answers and their messages."""

    def authenticate_credentials(self, key):
        token_model = self.get_model()
        alias = router.db_for_read(token_model)
        with connections[alias].cursor() as cursor:
            cursor.execute(_token_user_sql(), [key])
            row = cursor.fetchone()
        user = None if row is None else statements.instance(get_user_model(), row, 0, alias)
        if user is None or not user.is_active:
            return super().authenticate_credentials(key)
        # What request.auth is: the token, without its creation time (nothing reads it).
        return user, token_model(key=key, user=user)


@functools.cache
def _token_user_sql() -> str:
    from rest_framework.authtoken.models import Token

    user, token = get_user_model()._meta, Token._meta
    return (f"SELECT {statements.select_list(get_user_model(), 'u')} FROM {token.db_table} t "
            f"JOIN {user.db_table} u ON u.{user.pk.column} = t.{token.get_field('user').column} "
            f"WHERE t.{token.pk.column} = %s")
