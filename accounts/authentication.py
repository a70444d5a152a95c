"""DRF's token authentication with its lookup sent as plain SQL.

It runs on every API call; the ORM took longer to build the token-and-user
query than PostgreSQL took to answer it (see config/rows.py). Same answers
and errors as ``rest_framework.authentication.TokenAuthentication``.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from accounts.models import User
from config.rows import Reader, fetchone

_token, _user = Reader(Token, "t"), Reader(User, "u")
_SQL = (
    f"SELECT {_token.columns}, {_user.columns} FROM {_token.table} t JOIN {_user.table} u ON u.id = t.user_id"
    " WHERE t.key = %(key)s"
)


class PlainSQLTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        row = fetchone(_SQL, {"key": key})
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token, user = _token.build(row), _user.build(row, len(_token))
        token.user = user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, token
