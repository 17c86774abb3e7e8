"""A group chat's pictures (like a user's avatar): the owner adds and removes them."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from chats.access import access_conversation, owner_refuse_unless
from chats.models import Conversation
from chats.snapshots import conversation_snapshot, participant_ids
from config.errors import Invalid, NotFound
from events.delivery import publish
from events.kinds import ConversationUpdated
from messaging import uploads as files

IMAGES_MAX = 20


def _owned_group(actor: User, conversation_id: int) -> Conversation:
    conversation = access_conversation(actor, conversation_id, to_post=True, lock=True)
    if conversation.is_private:
        raise Invalid("A personal chat has no pictures of its own", code="personal_chat")
    owner_refuse_unless(actor, conversation, "changes the chat's pictures")
    return conversation


def _changed(actor: User, conversation: Conversation, origin: str | None) -> None:
    conversation.save(update_fields=["images", "updated_at"])
    snapshot = conversation_snapshot(conversation)
    publish(
        ConversationUpdated(
            recipients=tuple(participant_ids(snapshot)), actor_id=actor.pk, origin=origin, conversation=snapshot
        )
    )


@transaction.atomic
def conversation_image_add(
    actor: User, *, conversation_id: int, image: dict[str, Any], origin: str | None = None
) -> Conversation:
    """Add a picture (a file uploaded beforehand, named by its id) to a group; locks the chat row."""
    conversation = _owned_group(actor, conversation_id)
    media = files.media_clean(image, id_required=True)
    media["created_at"] = timezone.now().timestamp()
    images = [i for i in conversation.images if i.get("id") != media["id"]]
    if len(images) >= IMAGES_MAX:
        raise Invalid(f"A chat has at most {IMAGES_MAX} pictures", code="too_many_images")
    conversation.images = [*images, media]
    _changed(actor, conversation, origin)
    return conversation


@transaction.atomic
def conversation_image_remove(
    actor: User, *, conversation_id: int, image_id: str, origin: str | None = None
) -> Conversation:
    """Remove a group's picture and its stored files; locks the chat row."""
    conversation = _owned_group(actor, conversation_id)
    image = next((i for i in conversation.images if i.get("id") == image_id), None)
    if image is None:
        raise NotFound("Image not found", code="image_not_found")
    conversation.images = [i for i in conversation.images if i is not image]
    _changed(actor, conversation, origin)
    files.media_files_delete(image)
    return conversation
