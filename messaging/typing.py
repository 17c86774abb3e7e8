"""Typing notices: relayed live to the other participants, never stored."""

from accounts.models import User
from chats.access import access_participation
from chats.selectors import participant_ids_of
from events.delivery import publish
from events.kinds import Typing


def typing_notify(actor: User, *, conversation_id: int, origin: str | None = None) -> None:
    """Tell the other participants the actor is typing (refused, like a send, to a participant
    blocked from posting); stores nothing."""
    access_participation(actor, conversation_id, to_post=True)
    members = participant_ids_of(conversation_id)
    publish(
        Typing(
            recipients=tuple(uid for uid in members if uid != actor.pk),
            actor_id=actor.pk,
            origin=origin,
            conversation_id=conversation_id,
            user_id=actor.pk,
        )
    )
