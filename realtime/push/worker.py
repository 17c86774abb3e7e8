"""The push worker: turns queued push events into deliveries, one per subscription of each
recipient who should get it, and sends them through the platform's backend, retrying temporary
failures with backoff and dropping subscriptions the push service reports gone. Each try is
counted by outcome (`chat_push_deliveries_total`).

Several workers may run at once: rows are claimed with SELECT ... FOR UPDATE SKIP LOCKED."""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import PushDelivery, PushEvent, PushSubscription
from accounts.push.backends import PushFailed, PushGone, PushRejected, backend_for
from accounts.push.services import CONVERSATION_KEY, FIRST_FILE_KEY
from chats.models import Participant
from config.metrics import PUSH_DELIVERIES
from realtime.presence import online_user_ids_blocking

logger = logging.getLogger("accounts.push")

BATCH = 100
LEASE = timedelta(seconds=120)  # a claimed delivery is retried after this if its worker died


def max_attempts() -> int:
    return int(getattr(settings, "PUSH_MAX_ATTEMPTS", 5))


def backoff(attempts: int) -> timedelta:
    """Wait before the next try: PUSH_RETRY_DELAY doubled per failed attempt, at most an hour."""
    base = float(getattr(settings, "PUSH_RETRY_DELAY", 30))
    return timedelta(seconds=min(3600.0, base * 2 ** (attempts - 1)))


def _targets(event: PushEvent, subscriptions: dict[int, list[PushSubscription]], online: set[int]) -> list:
    users = set(event.recipient_ids)
    conversation_id = event.message.get(CONVERSATION_KEY)
    if conversation_id is not None:  # a chat message: only to offline participants who did not mute it
        users -= online
        users -= set(
            Participant.objects.filter(conversation_id=conversation_id, user_id__in=users, is_muted=True).values_list(
                "user_id", flat=True
            )
        )
    return [s for uid in sorted(users) for s in subscriptions.get(uid, [])]


def dispatch_events(limit: int = BATCH) -> int:
    """Expand queued push events into deliveries; answers how many events were expanded."""
    now = timezone.now()
    with transaction.atomic():
        queued = list(
            PushEvent.objects.select_for_update(skip_locked=True).filter(sent_at__isnull=True).order_by("id")[:limit]
        )
        if not queued:
            return 0
        user_ids = sorted({uid for e in queued for uid in e.recipient_ids})
        subscriptions: dict[int, list[PushSubscription]] = {}
        for s in PushSubscription.objects.filter(user_id__in=user_ids).order_by("id"):
            subscriptions.setdefault(s.user_id, []).append(s)
        chat = any(CONVERSATION_KEY in e.message for e in queued)
        online = online_user_ids_blocking([uid for uid in user_ids if uid in subscriptions]) if chat else set()
        deliveries = [
            PushDelivery(event=e, subscription=s, next_attempt_at=now)
            for e in queued
            for s in _targets(e, subscriptions, online)
        ]
        PushDelivery.objects.bulk_create(deliveries)
        PushEvent.objects.filter(pk__in=[e.pk for e in queued]).update(sent_at=now)
    return len(queued)


def payload_of(event: PushEvent) -> dict:
    """What the devices receive: the event's message without the worker's own keys."""
    payload = {k: v for k, v in event.message.items() if not k.startswith("_")}
    file_id = event.message.get(FIRST_FILE_KEY)
    if file_id:
        from messaging.attachments import public_download_url

        payload["firstAttachmentUrl"] = public_download_url(file_id)
    return payload


def _claim(limit: int) -> list[PushDelivery]:
    now = timezone.now()
    with transaction.atomic():
        due = list(
            PushDelivery.objects.select_for_update(skip_locked=True)
            .filter(next_attempt_at__lte=now)
            .select_related("event", "subscription")
            .order_by("next_attempt_at", "id")[:limit]
        )
        if due:
            PushDelivery.objects.filter(pk__in=[d.pk for d in due]).update(next_attempt_at=now + LEASE)
    return due


def _send_one(delivery: PushDelivery) -> None:
    subscription = delivery.subscription
    delivery.attempts += 1
    try:
        backend_for(subscription.platform).send(subscription, payload_of(delivery.event))
    except PushGone as error:
        logger.info("push subscription %s is gone (%s): dropped", subscription.pk, error)
        PUSH_DELIVERIES.labels(subscription.platform, "gone").inc()
        subscription.delete()  # its deliveries go with it
        return
    except PushRejected as error:
        delivery.next_attempt_at, delivery.last_error = None, str(error)[:1000]
        logger.warning("push %s refused for good: %s", delivery.pk, error)
        outcome = "rejected"
    except Exception as error:  # PushFailed, or a backend bug: try again later
        if not isinstance(error, PushFailed):
            logger.exception("push %s: backend error", delivery.pk)
        delivery.last_error = str(error)[:1000]
        give_up = delivery.attempts >= max_attempts()
        delivery.next_attempt_at = None if give_up else timezone.now() + backoff(delivery.attempts)
        outcome = "given_up" if give_up else "failed"
    else:
        delivery.sent_at, delivery.next_attempt_at, delivery.last_error = timezone.now(), None, ""
        outcome = "sent"
    PUSH_DELIVERIES.labels(subscription.platform, outcome).inc()
    delivery.save(update_fields=["attempts", "next_attempt_at", "sent_at", "last_error"])


def send_due(limit: int = BATCH) -> int:
    """Send the deliveries that are due; answers how many were tried."""
    due = _claim(limit)
    for delivery in due:
        _send_one(delivery)
    return len(due)


def run_once() -> int:
    """One round: expand queued events, then send what is due; answers the work done."""
    return dispatch_events() + send_due()


def run_forever(poll: float = 1.0, *, rounds: int | None = None) -> None:
    """Work until stopped (or for `rounds` rounds), sleeping `poll` seconds when idle."""
    done = 0
    while rounds is None or done < rounds:
        done += 1
        try:
            busy = run_once()
        except Exception:
            logger.exception("push worker round failed")
            busy = 0
        if not busy:
            time.sleep(poll)
