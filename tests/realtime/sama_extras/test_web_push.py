"""The Web Push backend for real: an offline participant's push reaches a local push endpoint
started by the test, VAPID-signed and aes128gcm-encrypted for the subscriber's keys."""

import base64
import json
import os

import http_ece
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid

from accounts.models import PushDelivery, PushSubscription
from realtime.push import worker
from tests.helpers import db, make_user, sama_connected
from tests.realtime.sama_extras.push_service import PushService

pytestmark = pytest.mark.django_db(transaction=True)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.fixture
def push_service(settings, tmp_path):
    vapid = Vapid()
    vapid.generate_keys()
    vapid.save_key(str(tmp_path / "vapid.pem"))
    settings.VAPID_PRIVATE_KEY = str(tmp_path / "vapid.pem")
    settings.VAPID_SUBJECT = "mailto:ops@chat.example"
    settings.PUSH_BACKENDS = {"web": "accounts.push.backends.webpush.WebPushBackend"}
    service = PushService()
    service.vapid_public = vapid.public_key
    yield service
    service.close()


async def _subscribed_web_user(service: PushService, path: str):
    """A user subscribed from a "browser" whose keys the test holds."""
    user = await db(make_user)()
    browser_key = ec.generate_private_key(ec.SECP256R1())
    auth = os.urandom(16)
    public = browser_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    client = await sama_connected(user, "browser")
    response = await client.request(
        "push_subscription_create",
        {
            "platform": "web",
            "web_endpoint": service.url + path,
            "web_key_auth": b64(auth),
            "web_key_p256dh": b64(public),
            "device_udid": "browser",
        },
    )
    assert "subscription" in response
    await client.close()  # offline from now on
    return user, browser_key, auth


async def test_an_offline_participant_gets_an_encrypted_vapid_signed_web_push(push_service):
    alice = await db(make_user)(first_name="Alice")
    bob, browser_key, auth = await _subscribed_web_user(push_service, "/push/bob")
    a = await sama_connected(alice)
    cid = await a.private_create(bob)
    await a.send({"message": {"id": "m1", "body": "hey how is going?", "cid": cid}})
    assert "ack" in await a.receive()
    await db(worker.run_once)()

    assert len(push_service.requests) == 1
    path, headers, body = push_service.requests[0]
    assert path == "/push/bob"
    assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) > 0
    payload = http_ece.decrypt(body, private_key=browser_key, auth_secret=auth, version="aes128gcm")
    assert json.loads(payload) == {
        "title": "Alice",
        "body": "hey how is going?",
        "firstAttachmentUrl": None,
        "cid": cid,
    }
    scheme, _, params = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    claims = jwt.decode(fields["t"], push_service.vapid_public, algorithms=["ES256"], audience=push_service.url)
    assert claims["sub"] == "mailto:ops@chat.example"
    delivery = await db(PushDelivery.objects.get)()
    assert delivery.sent_at is not None and delivery.attempts == 1
    await a.close()


async def test_a_subscription_the_push_service_reports_gone_is_dropped(push_service):
    alice = await db(make_user)()
    bob, _, _ = await _subscribed_web_user(push_service, "/push/gone")
    push_service.status = 410
    a = await sama_connected(alice)
    cid = await a.private_create(bob)
    await a.send({"message": {"id": "m1", "body": "anyone?", "cid": cid}})
    await a.receive()
    await db(worker.run_once)()
    assert len(push_service.requests) == 1
    assert not await db(PushSubscription.objects.filter(user=bob).exists)()
    await a.close()


async def test_a_server_error_is_retried_later(push_service):
    alice = await db(make_user)()
    bob, _, _ = await _subscribed_web_user(push_service, "/push/busy")
    push_service.status = 503
    a = await sama_connected(alice)
    cid = await a.private_create(bob)
    await a.send({"message": {"id": "m1", "body": "later", "cid": cid}})
    await a.receive()
    await db(worker.run_once)()
    delivery = await db(PushDelivery.objects.get)()
    assert delivery.attempts == 1 and delivery.sent_at is None and delivery.next_attempt_at is not None
    assert await db(PushSubscription.objects.filter(user=bob).exists)()
    await a.close()
