"""A user's conversations with every participant and the newest message each (what Chats REST's
`ChatInfo` shows), in a constant number of queries."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, OuterRef, Subquery

from accounts.models import User
from chats.models import Conversation, Participant
from chats.selectors import participations_of
from config.errors import NotFound
from messaging.access import visible_messages
from messaging.models import Message
from messaging.reactions import ReactionsSummary, reactions_summaries


@dataclass
class ConversationView:
    """A conversation as one participant sees it: their settings, every participant, the newest message."""

    conversation: Conversation
    participation: Participant | None
    members: list[Participant] = field(default_factory=list)
    last_message: Message | None = None
    last_message_reactions: ReactionsSummary | None = None  # for the viewer; None when it has none


def _list_max() -> int:  # REST_CHAT_LIST_MAX: Chats REST lists every chat at once, within this
    return getattr(settings, "REST_CHAT_LIST_MAX", 1000)


def conversation_views(
    user: User, *, conversation_ids: list[int] | None = None, include_removed: bool = False
) -> list[ConversationView]:
    """The user's chats, newest activity first; chats removed on their devices are left out unless
    asked for. Four queries whatever the number of chats and members."""
    newest = visible_messages(user).filter(conversation_id=OuterRef("conversation_id")).order_by("-id").values("id")[:1]
    rows = participations_of(user).select_related("conversation__owner")
    if conversation_ids is not None:
        rows = rows.filter(conversation_id__in=conversation_ids)
    if not include_removed:
        rows = rows.filter(is_removed_on_device=False)
    rows = rows.annotate(last_message_id=Subquery(newest)).order_by(
        F("conversation__updated_at").desc(), F("conversation_id").desc()
    )[: _list_max()]
    views: dict[int, ConversationView] = {}
    last_ids: list[int] = []
    for row in rows:
        views[row.conversation_id] = ConversationView(row.conversation, row)
        if row.last_message_id:
            last_ids.append(row.last_message_id)
    if not views:
        return []
    for member in (
        Participant.objects.filter(conversation_id__in=list(views)).select_related("user").order_by("user_id")
    ):
        views[member.conversation_id].members.append(member)
    by_message: dict[int, ConversationView] = {}
    for message in Message.objects.filter(pk__in=last_ids).select_related("sender"):
        views[message.conversation_id].last_message = message
        by_message[message.pk] = views[message.conversation_id]
    for message_id, summary in reactions_summaries(user, last_ids).items():
        by_message[message_id].last_message_reactions = summary
    return list(views.values())


def conversation_view_get(user: User, conversation_id: int) -> ConversationView:
    """One chat the user takes part in (even if removed on their devices), or NotFound."""
    views = conversation_views(user, conversation_ids=[conversation_id], include_removed=True)
    if not views:
        raise NotFound("Chat not found", code="conversation_not_found")
    return views[0]


def conversation_view_of(conversation: Conversation) -> ConversationView:
    """A chat seen by none of its participants (after the viewer left it): members only."""
    members = list(Participant.objects.filter(conversation=conversation).select_related("user").order_by("user_id"))
    return ConversationView(conversation, None, members)
