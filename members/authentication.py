"""How programs prove who they are to the API: personal tokens."""

from __future__ import annotations

import functools

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from members.models import Member


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication (``Authorization: Token …``), same answers,
    read with one plain query.

    Every request of a program pays for this, ballots included. DRF's own
    ``Token.objects.select_related("user").get(key=…)`` builds the join of two
    models through the ORM each time; on a busy server process that was a
    tenth of a ballot's cost (docs/BENCHMARKS.md). The query is written once,
    from the models' own table and column names."""

    def authenticate_credentials(self, key):
        member = next(iter(Member.objects.raw(_member_by_token_sql(), [key])), None)
        if member is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not member.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        # request.auth, as DRF gives it: the token row (its date loaded if asked for).
        token = Token.from_db(member._state.db, ["key", "user_id"], [key, member.pk])
        token.user = member
        return member, token


@functools.cache
def _member_by_token_sql() -> str:
    member, token = Member._meta, Token._meta
    return (
        f"SELECT m.* FROM {member.db_table} m JOIN {token.db_table} t "
        f"ON t.{token.get_field('user').column} = m.{member.pk.column} "
        f"WHERE t.{token.pk.column} = %s"
    )
