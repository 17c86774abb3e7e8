"""Apple Push Notification service over HTTP/2 (httpx), with a token-based (ES256 JWT) provider key."""

import threading
import time

import httpx
import jwt
from django.conf import settings

from accounts.models import PushSubscription
from accounts.push.backends import PushBackend, PushFailed, PushGone, PushRejected

PRODUCTION = "https://api.push.apple.com"
SANDBOX = "https://api.sandbox.push.apple.com"
TOKEN_LIFETIME = 45 * 60  # Apple refuses provider tokens older than an hour
GONE_REASONS = {"BadDeviceToken", "Unregistered", "DeviceTokenNotForTopic", "ExpiredToken"}


def apns_body(payload: dict) -> dict:
    """An alert with the title and body; the other fields ride beside `aps` for the app."""
    alert = {k: payload[k] for k in ("title", "body") if isinstance(payload.get(k), str)}
    extra = {k: v for k, v in payload.items() if k not in ("title", "body")}
    return {"aps": {"alert": alert, "sound": "default", "mutable-content": 1}, **extra}


class APNsBackend(PushBackend):
    """Needs APNS_KEY_FILE (the .p8 key), APNS_KEY_ID, APNS_TEAM_ID and APNS_TOPIC (the bundle id)."""

    def __init__(self, transport: httpx.BaseTransport | None = None) -> None:
        self._transport = transport
        self._client: httpx.Client | None = None
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    def _provider_token(self) -> str:
        with self._lock:
            if self._token is None or time.time() - self._token[1] > TOKEN_LIFETIME:
                path = getattr(settings, "APNS_KEY_FILE", "")
                key_id, team_id = getattr(settings, "APNS_KEY_ID", ""), getattr(settings, "APNS_TEAM_ID", "")
                if not (path and key_id and team_id):
                    raise PushRejected("APNS_KEY_FILE, APNS_KEY_ID and APNS_TEAM_ID must be set")
                with open(path) as key_file:
                    key = key_file.read()
                now = time.time()
                token = jwt.encode({"iss": team_id, "iat": int(now)}, key, algorithm="ES256", headers={"kid": key_id})
                self._token = (token, now)
            return self._token[0]

    def client(self) -> httpx.Client:
        if self._client is None:
            timeout = float(getattr(settings, "PUSH_HTTP_TIMEOUT", 10))
            if self._transport is not None:
                self._client = httpx.Client(transport=self._transport, timeout=timeout)
            else:
                self._client = httpx.Client(http2=True, timeout=timeout)
        return self._client

    def send(self, subscription: PushSubscription, payload: dict) -> None:
        if not subscription.device_token:
            raise PushGone("no device token")
        default_host = SANDBOX if getattr(settings, "APNS_SANDBOX", False) else PRODUCTION
        host = getattr(settings, "APNS_HOST", "") or default_host
        headers = {
            "authorization": f"bearer {self._provider_token()}",
            "apns-topic": getattr(settings, "APNS_TOPIC", ""),
            "apns-push-type": "alert",
            "apns-priority": "10",
        }
        try:
            response = self.client().post(
                f"{host}/3/device/{subscription.device_token}", json=apns_body(payload), headers=headers
            )
        except httpx.HTTPError as error:
            raise PushFailed(str(error)) from error
        if response.status_code == 200:
            return
        try:
            reason = response.json().get("reason", "")
        except ValueError:
            reason = response.text[:200]
        if response.status_code == 410 or reason in GONE_REASONS:
            raise PushGone(reason)
        if reason == "ExpiredProviderToken":
            self._token = None
            raise PushFailed(reason)
        if response.status_code == 429 or response.status_code >= 500:
            raise PushFailed(f"{response.status_code} {reason}")
        raise PushRejected(f"{response.status_code} {reason}")
