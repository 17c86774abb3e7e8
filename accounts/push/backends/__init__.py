"""Push delivery backends: one per platform, chosen by the PUSH_BACKENDS setting.

A backend sends one payload to one subscription and says how it went by raising: nothing (sent),
`PushGone` (the push service no longer knows the subscription: drop it), `PushRejected` (this push
will never succeed: give up) or `PushFailed` (try again later)."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from accounts.models import PushSubscription

DEFAULT_BACKENDS = {
    "web": "accounts.push.backends.webpush.WebPushBackend",
    "android": "accounts.push.backends.fcm.FCMBackend",
    "ios": "accounts.push.backends.apns.APNsBackend",
}


class PushGone(Exception):
    """The subscription is gone (unsubscribed, expired, uninstalled)."""


class PushRejected(Exception):
    """The push service refused this push for good (bad payload, backend not configured)."""


class PushFailed(Exception):
    """A temporary failure: network, rate limit, server error."""


class PushBackend:
    """Sends push payloads to the subscriptions of one platform."""

    def send(self, subscription: PushSubscription, payload: dict) -> None:
        raise NotImplementedError


@cache
def _backend(path: str) -> PushBackend:
    return import_string(path)()


def backend_for(platform: str) -> PushBackend:
    """The configured backend for a platform ("web", "ios", "android")."""
    paths = {**DEFAULT_BACKENDS, **getattr(settings, "PUSH_BACKENDS", {})}
    if platform not in paths:
        raise PushRejected(f"No push backend for platform {platform!r}")
    return _backend(paths[platform])
