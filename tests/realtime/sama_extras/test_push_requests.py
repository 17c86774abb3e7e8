"""push_subscription_create / _list / _delete and push_event_create over a real WebSocket."""

import json

import pytest

from tests.helpers import db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)

WEB = {
    "platform": "web",
    "web_endpoint": "https://push.example/endpoint",
    "web_key_auth": "auth",
    "web_key_p256dh": "p256dh",
    "device_udid": "deviceId",
}
KEYS = {
    "_id",
    "platform",
    "web_endpoint",
    "web_key_auth",
    "web_key_p256dh",
    "device_token",
    "device_udid",
    "user_id",
    "created_at",
    "updated_at",
}


async def test_subscriptions_create_replace_list_and_delete():
    alice = await db(make_user)()
    a = await sama_connected(alice)
    response = await a.request("push_subscription_create", WEB, "1")
    subscription = response["subscription"]
    assert response["id"] == "1" and set(subscription) == KEYS
    assert subscription["platform"] == "web" and subscription["web_endpoint"] == "https://push.example/endpoint"
    assert subscription["device_udid"] == "deviceId" and subscription["user_id"] == str(alice.pk)
    replaced = await a.request("push_subscription_create", {**WEB, "web_key_auth": "auth2"})
    assert replaced["subscription"]["_id"] == subscription["_id"]
    ios = {"platform": "ios", "device_token": "abc123", "device_udid": "phone"}
    assert (await a.request("push_subscription_create", ios))["subscription"]["device_token"] == "abc123"
    listed = await a.request("push_subscription_list", {"user_id": str(alice.pk)}, "2")
    assert [s["device_udid"] for s in listed["subscriptions"]] == ["deviceId", "phone"]
    assert listed["subscriptions"][0]["web_key_auth"] == "auth2"
    assert await a.request("push_subscription_delete", {"device_udid": "deviceId"}, "3") == {"id": "3", "success": True}
    assert [s["device_udid"] for s in (await a.request("push_subscription_list", {}))["subscriptions"]] == ["phone"]
    await a.close()


async def test_subscription_errors():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    no_platform = await a.request("push_subscription_create", {"device_udid": "d"}, "1")
    assert no_platform == {"id": "1", "error": {"status": 422, "message": "platform must be one of web, ios, android"}}
    no_keys = await a.request("push_subscription_create", {**WEB, "web_key_auth": None}, "2")
    assert no_keys["error"] == {"status": 422, "message": "web_endpoint, web_key_auth and web_key_p256dh are required"}
    no_token = await a.request("push_subscription_create", {"platform": "android", "device_udid": "d"}, "3")
    assert no_token["error"] == {"status": 422, "message": "device_token is required"}
    no_udid = await a.request("push_subscription_create", {**WEB, "device_udid": ""}, "4")
    assert no_udid["error"] == {"status": 422, "message": "device_udid is required"}
    others = await a.request("push_subscription_list", {"user_id": str(bob.pk)}, "5")
    assert others == {"id": "5", "error": {"status": 403, "message": "You can list only your own subscriptions"}}
    missing = await a.request("push_subscription_delete", {"device_udid": "nope"}, "6")
    assert missing == {"id": "6", "error": {"status": 404, "message": "Subscription not found"}}
    await a.close()


async def test_push_event_create_queues_a_push_for_existing_recipients_who_did_not_block_the_sender():
    alice, bob, carol = await db(make_user)(), await db(make_user)(), await db(make_user)()
    c = await sama_connected(carol)
    await c.request("block_user", {"ids": [str(alice.pk)]})
    a = await sama_connected(alice)
    message = {"title": "Title", "body": "Message body"}
    ids = [str(bob.pk), str(carol.pk), "999999"]
    response = await a.request("push_event_create", {"recipients_ids": ids, "message": message}, "1")
    event = response["event"]
    assert response["id"] == "1"
    assert set(event) == {"_id", "user_id", "recipients_ids", "message", "created_at", "updated_at"}
    assert event["user_id"] == str(alice.pk) and event["recipients_ids"] == [str(bob.pk)]
    assert json.loads(event["message"]) == message
    nobody = await a.request("push_event_create", {"recipients_ids": [str(carol.pk)], "message": message}, "2")
    assert nobody == {"id": "2", "error": {"status": 404, "message": "Recipients not found"}}
    no_message = await a.request("push_event_create", {"recipients_ids": [str(bob.pk)]}, "3")
    assert no_message["error"] == {"status": 422, "message": "message must be an object such as {title, body}"}
    no_ids = await a.request("push_event_create", {"message": message}, "4")
    assert no_ids["error"] == {"status": 422, "message": "recipients_ids must be a list"}
    await a.close()
    await c.close()
