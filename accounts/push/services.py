"""Writes and reads on push subscriptions and push events; queuing a push is one INSERT, sending
is the worker's job (`realtime.push.worker`), so no request or socket ever waits on a push service."""

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.db import transaction

from accounts import blocking
from accounts.models import PushEvent, PushSubscription, User
from config.errors import Forbidden, Invalid, NotFound
from config.id_lists import ids_distinct
from events.kinds import MessageCreated

PLATFORMS = {"web", "ios", "android"}
FIELD_MAX = 255
TOKEN_MAX = 4096
RECIPIENTS_MAX = 100
MESSAGE_MAX_BYTES = 3000  # Web Push payloads must stay under ~4 KB once encrypted
BODY_PREVIEW_MAX = 1000
# Keys of a queued event's message that the worker reads and never sends.
CONVERSATION_KEY = "_conversation_id"
FIRST_FILE_KEY = "_first_file_id"


def _text(value: object, name: str, limit: int, *, required: bool = False) -> str:
    if value is None or value == "":
        if required:
            raise Invalid(f"{name} is required", code="invalid_subscription")
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise Invalid(f"{name} must be a string of at most {limit} characters", code="invalid_subscription")
    return value


@transaction.atomic
def push_subscription_create(
    user: User,
    *,
    platform: object,
    device_udid: object,
    web_endpoint: object = None,
    web_key_auth: object = None,
    web_key_p256dh: object = None,
    device_token: object = None,
) -> PushSubscription:
    """Subscribe one of the user's devices (a second call for the same device replaces it)."""
    if not isinstance(platform, str) or platform not in PLATFORMS:
        raise Invalid("platform must be one of web, ios, android", code="invalid_subscription")
    fields = {
        "platform": platform,
        "web_endpoint": _text(web_endpoint, "web_endpoint", TOKEN_MAX),
        "web_key_auth": _text(web_key_auth, "web_key_auth", FIELD_MAX),
        "web_key_p256dh": _text(web_key_p256dh, "web_key_p256dh", FIELD_MAX),
        "device_token": _text(device_token, "device_token", TOKEN_MAX),
    }
    udid = _text(device_udid, "device_udid", FIELD_MAX, required=True)
    if platform == "web":
        if not (fields["web_endpoint"] and fields["web_key_auth"] and fields["web_key_p256dh"]):
            raise Invalid("web_endpoint, web_key_auth and web_key_p256dh are required", code="invalid_subscription")
        if urlsplit(fields["web_endpoint"]).scheme not in ("https", "http"):
            raise Invalid("web_endpoint must be an http(s) URL", code="invalid_subscription")
    elif not fields["device_token"]:
        raise Invalid("device_token is required", code="invalid_subscription")
    subscription, _ = PushSubscription.objects.update_or_create(user=user, device_udid=udid, defaults=fields)
    return subscription


def push_subscription_list(user: User, *, user_id: int | None = None) -> list[PushSubscription]:
    """The user's own subscriptions (asking for someone else's is Forbidden)."""
    if user_id is not None and user_id != user.pk:
        raise Forbidden("You can list only your own subscriptions", code="forbidden")
    return list(PushSubscription.objects.filter(user=user).order_by("created_at", "id"))


@transaction.atomic
def push_subscription_delete(user: User, *, device_udid: object) -> None:
    """Unsubscribe one of the user's devices."""
    udid = _text(device_udid, "device_udid", FIELD_MAX, required=True)
    deleted, _ = PushSubscription.objects.filter(user=user, device_udid=udid).delete()
    if not deleted:
        raise NotFound("Subscription not found", code="subscription_not_found")


@transaction.atomic
def push_event_create(sender: User, *, recipient_ids: Iterable[int], message: object) -> PushEvent:
    """Queue a custom push for some users; those who blocked the sender are left out."""
    wanted = ids_distinct(recipient_ids, limit=RECIPIENTS_MAX, field="recipients_ids", required=True)
    if not isinstance(message, dict) or not message:
        raise Invalid("message must be an object such as {title, body}", code="invalid_message")
    if len(json.dumps(message)) > MESSAGE_MAX_BYTES:
        raise Invalid(f"message is larger than {MESSAGE_MAX_BYTES} bytes", code="invalid_message")
    if any(key.startswith("_") for key in message):
        raise Invalid("message keys must not start with _", code="invalid_message")
    found = set(User.objects.filter(pk__in=wanted, is_active=True).values_list("pk", flat=True))
    recipients = found - blocking.blockers_among(sender.pk, found)
    if not recipients:
        raise NotFound("Recipients not found", code="recipients_not_found")
    return PushEvent.objects.create(sender=sender, recipient_ids=sorted(recipients), message=message)


def push_notice_enqueue(
    actor: User, *, conversation_id: int, recipient_ids: Iterable[int], name: str | None, text: str | None, data: object
) -> None:
    """Queue the push of a chat's notice (Chats REST `/notify` with realm "push" or "all"): its
    text is the push's body, and its data rides along when the payload stays small enough. The
    worker sends it, as a message's, to the participants who are offline and have not muted the chat."""
    recipients = sorted(set(recipient_ids) - {actor.pk})
    if not recipients:
        return
    payload: dict[str, object] = {
        "title": actor.display_name,
        "body": (text or "")[:BODY_PREVIEW_MAX],
        "name": name,
        "cid": str(conversation_id),
        CONVERSATION_KEY: conversation_id,
    }
    if data is not None and len(json.dumps({**payload, "data": data})) <= MESSAGE_MAX_BYTES:
        payload["data"] = data
    PushEvent.objects.create(sender=actor, recipient_ids=recipients, message=payload)


def push_enqueue(event: MessageCreated) -> None:
    """Queue the push for a new message (inside the sender's transaction: one INSERT). The worker
    sends it to the recipients who are offline and have not muted the conversation."""
    message = event.message
    recipients = sorted(set(event.push_to) - {event.actor_id})
    if message.get("is_system") or not recipients:
        return
    attachments = message.get("attachments") or []
    first = attachments[0] if attachments and isinstance(attachments[0], dict) else {}
    payload = {
        "title": message.get("sender_name") or "",
        "body": (message.get("body") or "")[:BODY_PREVIEW_MAX],
        "firstAttachmentUrl": None,
        "cid": str(message["conversation_id"]),
        CONVERSATION_KEY: message["conversation_id"],
    }
    if first.get("file_id"):
        payload[FIRST_FILE_KEY] = str(first["file_id"])
    PushEvent.objects.create(sender_id=event.actor_id, recipient_ids=recipients, message=payload)
