"""Each participant's own settings of a chat: muted, archived, removed on their devices."""

from django.db import transaction

from accounts.models import User
from chats.access import access_participation
from chats.models import Conversation, Participant


@transaction.atomic
def participant_settings_update(
    actor: User,
    *,
    conversation_id: int,
    is_muted: bool | None = None,
    is_archived: bool | None = None,
    is_removed_on_device: bool | None = None,
) -> Participant:
    """Change the actor's own settings of a chat; fields left None stay as they are."""
    participation = access_participation(actor, conversation_id)
    changed = []
    for field, value in (
        ("is_muted", is_muted),
        ("is_archived", is_archived),
        ("is_removed_on_device", is_removed_on_device),
    ):
        if value is not None:
            setattr(participation, field, bool(value))
            changed.append(field)
    if changed:
        participation.save(update_fields=changed)
    return participation


def participants_restore_on_device(conversation_id: int, *, author_id: int, conversation_type: str) -> None:
    """A new message brings a chat back to the devices of its author (and, in a personal chat, of the
    other side) that removed it."""
    rows = Participant.objects.filter(conversation_id=conversation_id, is_removed_on_device=True)
    if conversation_type != Conversation.PRIVATE:
        rows = rows.filter(user_id=author_id)
    rows.update(is_removed_on_device=False)
