"""Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption, via pywebpush."""

import json

import requests
from django.conf import settings
from pywebpush import WebPushException, webpush

from accounts.models import PushSubscription
from accounts.push.backends import PushBackend, PushFailed, PushGone, PushRejected

GONE = {404, 410}
RETRY = {408, 425, 429}


class WebPushBackend(PushBackend):
    """Sends to the browser push service at the subscription's endpoint, signed with VAPID_PRIVATE_KEY."""

    def send(self, subscription: PushSubscription, payload: dict) -> None:
        key = getattr(settings, "VAPID_PRIVATE_KEY", "")
        if not key:
            raise PushRejected("VAPID_PRIVATE_KEY is not set")
        if not subscription.web_endpoint or not subscription.web_key_p256dh or not subscription.web_key_auth:
            raise PushGone("incomplete web subscription")
        info = {
            "endpoint": subscription.web_endpoint,
            "keys": {"p256dh": subscription.web_key_p256dh, "auth": subscription.web_key_auth},
        }
        try:
            webpush(
                subscription_info=info,
                data=json.dumps(payload, separators=(",", ":")),
                vapid_private_key=key,
                vapid_claims={"sub": getattr(settings, "VAPID_SUBJECT", "mailto:admin@localhost")},
                ttl=int(getattr(settings, "PUSH_TTL", 86400)),
                timeout=float(getattr(settings, "PUSH_HTTP_TIMEOUT", 10)),
            )
        except WebPushException as error:
            status = error.response.status_code if error.response is not None else None
            if status in GONE:
                raise PushGone(str(error)) from error
            if status is None or status in RETRY or status >= 500:
                raise PushFailed(str(error)) from error
            raise PushRejected(str(error)) from error
        except (requests.RequestException, OSError) as error:
            raise PushFailed(str(error)) from error
        except ValueError as error:  # undecodable subscription keys
            raise PushGone(f"invalid subscription keys: {error}") from error
