"""SAMA's push requests: `push_subscription_create` / `_list` / `_delete`, `push_event_create`."""

import json
from typing import Any

from accounts.models import PushEvent, PushSubscription
from accounts.push import services as push
from protocols.sama import render
from protocols.sama.args import params
from realtime.adapter import call, to_id, to_ids


def render_subscription(s: PushSubscription) -> dict[str, Any]:
    return {
        "_id": str(s.pk),
        "platform": s.platform,
        "web_endpoint": s.web_endpoint,
        "web_key_auth": s.web_key_auth,
        "web_key_p256dh": s.web_key_p256dh,
        "device_token": s.device_token,
        "device_udid": s.device_udid,
        "user_id": str(s.user_id),
        "created_at": render.iso(s.created_at.timestamp()),
        "updated_at": render.iso(s.updated_at.timestamp()),
    }


def render_push_event(e: PushEvent) -> dict[str, Any]:
    return {
        "_id": str(e.pk),
        "user_id": render.sid(e.sender_id),
        "recipients_ids": [str(i) for i in e.recipient_ids],
        "message": json.dumps(e.message, separators=(",", ":"), ensure_ascii=False),
        "created_at": render.iso(e.created_at.timestamp()),
        "updated_at": render.iso(e.updated_at.timestamp()),
    }


class SamaPushMixin:
    """Push requests; the rules live in `accounts.push.services`, sending in its worker."""

    user: Any

    async def push_subscription_create(self, p: object) -> dict:
        q = params(p, "push_subscription_create")
        fields = ("platform", "device_udid", "web_endpoint", "web_key_auth", "web_key_p256dh", "device_token")
        subscription = await call(push.push_subscription_create, self.user, **{k: q.get(k) for k in fields})
        return {"subscription": render_subscription(subscription)}

    async def push_subscription_list(self, p: object) -> dict:
        q = params(p, "push_subscription_list")
        user_id = to_id(q["user_id"], "user_id") if q.get("user_id") is not None else None
        subscriptions = await call(push.push_subscription_list, self.user, user_id=user_id)
        return {"subscriptions": [render_subscription(s) for s in subscriptions]}

    async def push_subscription_delete(self, p: object) -> dict:
        q = params(p, "push_subscription_delete")
        await call(push.push_subscription_delete, self.user, device_udid=q.get("device_udid"))
        return {"success": True}

    async def push_event_create(self, p: object) -> dict:
        q = params(p, "push_event_create")
        ids = to_ids(q.get("recipients_ids"), "recipients_ids", limit=push.RECIPIENTS_MAX)
        event = await call(push.push_event_create, self.user, recipient_ids=ids, message=q.get("message"))
        return {"event": render_push_event(event)}
