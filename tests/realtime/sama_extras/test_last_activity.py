"""user_last_activity and its subscriptions over a real WebSocket (one process)."""

import asyncio

import pytest
from django.utils import timezone

from accounts.models import User
from tests.helpers import db, make_user, sama_connected, settle

pytestmark = pytest.mark.django_db(transaction=True)


def _seen_ago(user: User, seconds: int) -> None:
    User.objects.filter(pk=user.pk).update(last_activity_at=timezone.now() - timezone.timedelta(seconds=seconds))


async def test_last_activity_answers_online_or_seconds_and_leaves_out_unknown_ids():
    alice, bob, carol = await db(make_user)(), await db(make_user)(), await db(make_user)()
    await db(_seen_ago)(carol, 120)
    a = await sama_connected(alice)
    b = await sama_connected(bob)
    response = await a.request("user_last_activity", {"ids": [str(bob.pk), str(carol.pk), "999999"]}, "4")
    assert response["id"] == "4" and response["last_activity"][str(bob.pk)] == "online"
    assert 119 <= response["last_activity"][str(carol.pk)] <= 125
    assert set(response["last_activity"]) == {str(bob.pk), str(carol.pk)}
    too_many = await a.request("user_last_activity", {"ids": [str(i) for i in range(1, 12)]}, "5")
    assert too_many == {"id": "5", "error": {"status": 422, "message": "ids holds at most 10 ids"}}
    missing = await a.request("user_last_activity", {}, "6")
    assert missing == {"id": "6", "error": {"status": 422, "message": "ids must be a list"}}
    await a.close()
    await b.close()


async def test_subscribers_hear_online_and_offline_across_several_devices():
    alice, bob = await db(make_user)(), await db(make_user)()
    await db(_seen_ago)(bob, 30)
    a = await sama_connected(alice)
    response = await a.request("user_last_activity_subscribe", {"id": str(bob.pk)}, "4")
    assert response["id"] == "4" and 29 <= response["last_activity"][str(bob.pk)] <= 35
    phone = await sama_connected(bob, "phone")
    assert await a.receive() == {"last_activity": {str(bob.pk): "online"}}
    laptop = await sama_connected(bob, "laptop")
    await settle()
    await a.nothing()  # still online: no news
    await phone.close()
    await a.nothing()  # the laptop is still connected
    await laptop.close()
    assert await a.receive() == {"last_activity": {str(bob.pk): 0}}
    again = await a.request("user_last_activity", {"ids": [str(bob.pk)]})
    assert again["last_activity"][str(bob.pk)] in (0, 1)
    assert await a.request("user_last_activity_unsubscribe", {}, "5") == {"id": "5", "success": True}
    back = await sama_connected(bob, "phone")
    await settle()
    await a.nothing()
    await back.close()
    await a.close()


async def test_subscribing_answers_online_and_unknown_users_are_404():
    alice, bob = await db(make_user)(), await db(make_user)()
    b = await sama_connected(bob)
    # Bob's own "online" passes the hub before Alice listens: a new hub's Redis pub/sub reader first
    # looks for messages 0.1 s after it starts (channels-redis), so it could still reach her.
    await asyncio.sleep(0.2)
    a = await sama_connected(alice)
    response = await a.request("user_last_activity_subscribe", {"id": str(bob.pk)}, "1")
    assert response == {"id": "1", "last_activity": {str(bob.pk): "online"}}
    missing = await a.request("user_last_activity_subscribe", {"id": "999999"}, "2")
    assert missing == {"id": "2", "error": {"status": 404, "message": "User not found"}}
    bad = await a.request("user_last_activity_subscribe", {"id": "abc"}, "3")
    assert bad == {"id": "3", "error": {"status": 422, "message": "id is not a valid id"}}
    # unsubscribing from one user by id
    assert await a.request("user_last_activity_unsubscribe", {"id": str(bob.pk)}, "4") == {"id": "4", "success": True}
    await b.close()
    await a.nothing()
    await a.close()
