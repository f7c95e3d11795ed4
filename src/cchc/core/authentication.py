"""Token authentication of the REST API (its own module: DRF's settings import it while
``rest_framework.views``, which ``cchc.core.api`` imports, is still loading)."""

import functools

from django.contrib.auth import get_user_model
from django.db import connections, router
from rest_framework import authentication


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, reading the token's user with one hand-written statement:
    the ORM compiling its token-and-user join cost more CPU than running it, on every API
    request (bench/README.md, intake). A token not found, or whose user is inactive, is left
    to DRF's own method, for its answers and their messages."""

    def authenticate_credentials(self, key):
        token_model = self.get_model()
        alias = router.db_for_read(token_model)
        user = next(iter(get_user_model().objects.db_manager(alias).raw(
            _token_user_sql(alias), [key])), None)
        if user is None or not user.is_active:
            return super().authenticate_credentials(key)
        # What request.auth is: the token, without its creation time (nothing reads it).
        return user, token_model(key=key, user=user)


@functools.cache
def _token_user_sql(alias: str) -> str:
    from rest_framework.authtoken.models import Token

    quote = connections[alias].ops.quote_name
    user, token = get_user_model()._meta, Token._meta
    columns = ", ".join(f"u.{quote(field.column)}" for field in user.concrete_fields)
    return (f"SELECT {columns} FROM {quote(token.db_table)} t JOIN {quote(user.db_table)} u "
            f"ON u.{quote(user.pk.column)} = t.{quote(token.get_field('user').column)} "
            f"WHERE t.{quote(token.pk.column)} = %s")
