"""Reads on users."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, QuerySet

from accounts.models import User

SEARCH_LIMIT_MAX = 100


def user_search(
    *,
    keyword: str,
    limit: int = SEARCH_LIMIT_MAX,
    updated_after: datetime | None = None,
    ignore_ids: Iterable[int] = (),
) -> list[User]:
    """Active users whose login, name or email contains `keyword`."""
    users: QuerySet[User] = User.objects.filter(is_active=True)
    if keyword:
        users = users.filter(
            Q(username__icontains=keyword)
            | Q(first_name__icontains=keyword)
            | Q(last_name__icontains=keyword)
            | Q(email__icontains=keyword)
        )
    if updated_after is not None:
        users = users.filter(updated_at__gt=updated_after)
    ignore = list(ignore_ids)
    if ignore:
        users = users.exclude(pk__in=ignore)
    return list(users.order_by("username")[: max(1, min(limit, SEARCH_LIMIT_MAX))])


def users_by_ids(ids: Iterable[int]) -> list[User]:
    """The active users with these ids, in id order; unknown ids are left out."""
    return list(User.objects.filter(pk__in=list(ids), is_active=True).order_by("pk"))
