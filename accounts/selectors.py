"""Reads on users."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, QuerySet

from accounts.models import User

SEARCH_LIMIT_MAX = 100

# Staff accounts: the people who run the server (the admin site's users).
STAFF = Q(is_staff=True) | Q(is_superuser=True)


def staff_hidden(users: QuerySet[User], *, unless: Q | None = None) -> QuerySet[User]:
    """A user search's rows without the staff accounts, but those that meet `unless` (the users the
    search names). Every search of the user directory goes through here (SAMA's and Chats REST's
    `user_search`, NkCHAT's `messaging.search.user_search_page`), so no protocol lists who runs the
    server to whoever asks, and anyone who knows a staff member's login or name still finds them."""
    return users.filter(~STAFF | unless) if unless is not None else users.exclude(STAFF)


def named_by(keyword: str) -> Q | None:
    """The users a search keyword names: those whose whole login, first name or last name it is,
    whatever the case. An empty keyword names nobody; a part of a name ("adm" for "admin") names
    nobody either, so browsing the directory a letter at a time does not reveal the staff."""
    if not keyword:
        return None
    return Q(username__lower_exact=keyword) | Q(first_name__lower_exact=keyword) | Q(last_name__lower_exact=keyword)


def user_search(
    *,
    keyword: str,
    limit: int = SEARCH_LIMIT_MAX,
    updated_after: datetime | None = None,
    updated_before: datetime | None = None,
    ignore_ids: Iterable[int] = (),
) -> list[User]:
    """Active users whose login, name or email contains `keyword`; staff accounts only when the
    keyword names them (`named_by`)."""
    users: QuerySet[User] = staff_hidden(User.objects.filter(is_active=True), unless=named_by(keyword))
    if keyword:
        users = users.filter(
            Q(username__icontains=keyword)
            | Q(first_name__icontains=keyword)
            | Q(last_name__icontains=keyword)
            | Q(email__icontains=keyword)
        )
    if updated_after is not None:
        users = users.filter(updated_at__gt=updated_after)
    if updated_before is not None:
        users = users.filter(updated_at__lt=updated_before)
    ignore = list(ignore_ids)
    if ignore:
        users = users.exclude(pk__in=ignore)
    return list(users.order_by("username")[: max(1, min(limit, SEARCH_LIMIT_MAX))])


def users_by_ids(ids: Iterable[int]) -> list[User]:
    """The active users with these ids, in id order; unknown ids are left out."""
    return list(User.objects.filter(pk__in=list(ids), is_active=True).order_by("pk"))
