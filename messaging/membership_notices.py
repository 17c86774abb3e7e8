"""The notices a group's membership changes leave in its history ("carol has been added to the
group"): system messages, stored and delivered like any message, written inside the transaction
that changed the membership. They are receivers of the published MembersAdded and MembersRemoved
events (connected in `messaging.apps`), so that conversations need not know of messages. A
notice's `x` names its kind and the user it is about; SAMA renders it as its document says."""

from typing import Any

from accounts.models import User
from accounts.snapshots import user_brief
from chats.models import Conversation
from chats.snapshots import participant_ids
from events.kinds import MembersAdded, MembersRemoved
from messaging.system_messages import system_message_store


def _notice_parts(event: MembersAdded | MembersRemoved) -> tuple[Conversation, User, list[User]] | None:
    conversation = Conversation.objects.filter(pk=event.conversation["id"]).first()
    actor = User.objects.filter(pk=event.actor_id).first() if event.actor_id is not None else None
    if conversation is None or actor is None:
        return None
    return conversation, actor, list(User.objects.filter(pk__in=event.user_ids).order_by("pk"))


def members_added_notice(event: MembersAdded, **_: Any) -> None:
    """One notice per user added."""
    parts = _notice_parts(event)
    if parts is None:
        return
    conversation, actor, users = parts
    for user in users:
        system_message_store(
            actor,
            conversation=conversation,
            body=f"{user.display_name} has been added to the group",
            x={"type": "added_participant", "user": user_brief(user)},
            recipients=tuple(participant_ids(event.conversation)),
        )


def members_removed_notice(event: MembersRemoved, **_: Any) -> None:
    """One notice per user who left (removed by themselves, whichever protocol asked) or was removed."""
    parts = _notice_parts(event)
    if parts is None:
        return
    conversation, actor, users = parts
    for user in users:
        if user.pk == event.actor_id:
            body, kind = f"{user.username} has left the group", "left_participants"
        else:
            body, kind = f"{user.display_name} has been removed from the group", "removed_participant"
        system_message_store(
            actor,
            conversation=conversation,
            body=body,
            x={"type": kind, "user": user_brief(user)},
            recipients=tuple(participant_ids(event.conversation)),
        )
