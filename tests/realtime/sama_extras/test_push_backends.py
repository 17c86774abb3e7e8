"""The FCM and APNs backends against local stand-ins for their push services."""

import json

import httpx
import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from accounts.models import PushSubscription
from accounts.push.backends import PushFailed, PushGone, PushRejected
from accounts.push.backends.apns import APNsBackend
from accounts.push.backends.fcm import FCMBackend
from tests.realtime.sama_extras.push_service import PushService

PAYLOAD = {"title": "Alice", "body": "hi", "firstAttachmentUrl": None, "cid": "7"}


def _subscription(platform: str) -> PushSubscription:
    return PushSubscription(pk=1, platform=platform, device_udid="d", device_token="device-token")


@pytest.fixture
def fcm(settings):
    service = PushService()
    settings.FCM_ENDPOINT = service.url
    settings.FCM_PROJECT_ID = "proj"
    backend = FCMBackend()
    backend.__dict__["session"] = requests.Session()  # stands in for the service-account session
    yield backend, service
    service.close()


def test_fcm_sends_an_http_v1_message(fcm):
    backend, service = fcm
    service.status = 200
    backend.send(_subscription("android"), PAYLOAD)
    path, _, body = service.requests[0]
    assert path == "/v1/projects/proj/messages:send"
    assert json.loads(body) == {
        "message": {
            "token": "device-token",
            "notification": {"title": "Alice", "body": "hi"},
            "data": {"title": "Alice", "body": "hi", "cid": "7"},
        }
    }


@pytest.mark.parametrize(("status", "error"), [(404, PushGone), (503, PushFailed), (400, PushRejected)])
def test_fcm_errors(fcm, status, error):
    backend, service = fcm
    service.status = status
    with pytest.raises(error):
        backend.send(_subscription("android"), PAYLOAD)


def test_fcm_without_credentials_is_refused(settings):
    settings.FCM_CREDENTIALS_FILE = ""
    with pytest.raises(PushRejected):
        FCMBackend().send(_subscription("android"), PAYLOAD)


@pytest.fixture
def apns_key(settings, tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (tmp_path / "key.p8").write_bytes(pem)
    settings.APNS_KEY_FILE = str(tmp_path / "key.p8")
    settings.APNS_KEY_ID, settings.APNS_TEAM_ID, settings.APNS_TOPIC = "KEY123", "TEAM45", "com.example.chat"
    settings.APNS_SANDBOX = True
    return key.public_key()


def test_apns_sends_an_alert_with_a_provider_token(apns_key):
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    APNsBackend(transport=httpx.MockTransport(handler)).send(_subscription("ios"), PAYLOAD)
    request = seen[0]
    assert str(request.url) == "https://api.sandbox.push.apple.com/3/device/device-token"
    assert request.headers["apns-topic"] == "com.example.chat" and request.headers["apns-push-type"] == "alert"
    token = request.headers["authorization"].removeprefix("bearer ")
    assert jwt.get_unverified_header(token)["kid"] == "KEY123"
    assert jwt.decode(token, apns_key, algorithms=["ES256"])["iss"] == "TEAM45"
    assert json.loads(request.content) == {
        "aps": {"alert": {"title": "Alice", "body": "hi"}, "sound": "default", "mutable-content": 1},
        "firstAttachmentUrl": None,
        "cid": "7",
    }


@pytest.mark.parametrize(
    ("status", "reason", "error"),
    [
        (410, "Unregistered", PushGone),
        (400, "BadDeviceToken", PushGone),
        (429, "TooManyRequests", PushFailed),
        (403, "ExpiredProviderToken", PushFailed),
        (400, "PayloadTooLarge", PushRejected),
    ],
)
def test_apns_errors(apns_key, status, reason, error):
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json={"reason": reason}))
    with pytest.raises(error):
        APNsBackend(transport=transport).send(_subscription("ios"), PAYLOAD)
