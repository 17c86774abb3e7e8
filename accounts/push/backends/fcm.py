"""Firebase Cloud Messaging (HTTP v1 API) for Android devices, authorised by a service account."""

from functools import cached_property

import requests
from django.conf import settings

from accounts.models import PushSubscription
from accounts.push.backends import PushBackend, PushFailed, PushGone, PushRejected

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"


def fcm_message(token: str, payload: dict) -> dict:
    """The HTTP v1 message: a notification (title, body, image) plus every field as string data."""
    notification = {k: payload[k] for k in ("title", "body") if isinstance(payload.get(k), str)}
    if payload.get("firstAttachmentUrl"):
        notification["image"] = payload["firstAttachmentUrl"]
    data = {k: v if isinstance(v, str) else str(v) for k, v in payload.items() if v is not None}
    return {"message": {"token": token, "notification": notification, "data": data}}


class FCMBackend(PushBackend):
    """Needs FCM_CREDENTIALS_FILE (a service-account JSON key); FCM_PROJECT_ID defaults to its project."""

    @cached_property
    def session(self) -> requests.Session:
        path = getattr(settings, "FCM_CREDENTIALS_FILE", "")
        if not path:
            raise PushRejected("FCM_CREDENTIALS_FILE is not set")
        from google.auth.transport.requests import AuthorizedSession
        from google.oauth2 import service_account

        credentials = service_account.Credentials.from_service_account_file(path, scopes=[SCOPE])
        self.project_id = getattr(settings, "FCM_PROJECT_ID", "") or credentials.project_id
        return AuthorizedSession(credentials)

    def url(self) -> str:
        base = getattr(settings, "FCM_ENDPOINT", "https://fcm.googleapis.com").rstrip("/")
        project = getattr(self, "project_id", "") or getattr(settings, "FCM_PROJECT_ID", "")
        return f"{base}/v1/projects/{project}/messages:send"

    def send(self, subscription: PushSubscription, payload: dict) -> None:
        if not subscription.device_token:
            raise PushGone("no device token")
        session = self.session
        try:
            response = session.post(
                self.url(),
                json=fcm_message(subscription.device_token, payload),
                timeout=float(getattr(settings, "PUSH_HTTP_TIMEOUT", 10)),
            )
        except (requests.RequestException, OSError) as error:
            raise PushFailed(str(error)) from error
        if response.status_code == 200:
            return
        text = response.text[:500]
        if response.status_code == 404 or "UNREGISTERED" in text:
            raise PushGone(text)
        if response.status_code == 429 or response.status_code >= 500:
            raise PushFailed(f"{response.status_code} {text}")
        raise PushRejected(f"{response.status_code} {text}")
