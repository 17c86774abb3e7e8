"""A user's conversations as their inbox lists them: newest activity first, each with its unread
count and its last message."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from chats.models import Conversation, Participant
from chats.selectors import participations_of
from config.paging import clamp_limit
from messaging.access import visible_messages


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """A conversation as the user's inbox lists it, with the user's own settings of it."""

    conversation: Conversation
    participation: Participant
    unread_count: int
    last_message_id: int | None


def conversation_list(
    user: User,
    *,
    limit: int | None = None,
    updated_after: datetime | None = None,
    updated_before: datetime | None = None,
    ids: Iterable[int] | None = None,
) -> list[InboxEntry]:
    """The user's conversations, newest activity first, each with its unread count, its last
    message's id and the user's own settings."""
    visible = visible_messages(user).filter(conversation_id=OuterRef("conversation_id"))
    unread = (
        visible.filter(id__gt=OuterRef("last_read_message_id"))
        .exclude(sender_id=user.pk)
        .values("conversation_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    last = visible.order_by("-id").values("id")[:1]
    rows = participations_of(user)
    if updated_after is not None:
        rows = rows.filter(conversation__updated_at__gt=updated_after)
    if updated_before is not None:
        rows = rows.filter(conversation__updated_at__lt=updated_before)
    if ids is not None:
        rows = rows.filter(conversation_id__in=list(ids))
    rows = rows.annotate(unread_count=Coalesce(Subquery(unread), 0), last_message_id=Subquery(last)).order_by(
        F("conversation__updated_at").desc(), F("conversation_id").desc()
    )[: clamp_limit(limit)]
    return [InboxEntry(row.conversation, row, row.unread_count, row.last_message_id) for row in rows]
