"""user_last_activity and its subscriptions over a real WebSocket (one process)."""

import time

import pytest
from django.utils import timezone

from accounts.models import User
from events.kinds import LastActivity
from tests.helpers import db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)


def _seen_ago(user: User, seconds: int) -> None:
    User.objects.filter(pk=user.pk).update(last_activity_at=timezone.now() - timezone.timedelta(seconds=seconds))


async def test_last_activity_answers_online_or_the_unix_time_last_seen_and_leaves_out_unknown_ids():
    alice, bob, carol = await db(make_user)(), await db(make_user)(), await db(make_user)()
    await db(_seen_ago)(carol, 120)
    a = await sama_connected(alice)
    b = await sama_connected(bob)
    response = await a.request("user_last_activity", {"ids": [str(bob.pk), str(carol.pk), "999999"]}, "4")
    assert response["id"] == "4" and response["last_activity"][str(bob.pk)] == "online"
    assert time.time() - 125 <= response["last_activity"][str(carol.pk)] <= time.time() - 119
    assert set(response["last_activity"]) == {str(bob.pk), str(carol.pk)}
    too_many = await a.request("user_last_activity", {"ids": [str(i) for i in range(1, 12)]}, "5")
    assert too_many == {"id": "5", "error": {"status": 422, "message": "ids holds at most 10 ids"}}
    missing = await a.request("user_last_activity", {}, "6")
    assert missing == {"id": "6", "error": {"status": 422, "message": "ids must be a list"}}
    await a.close()
    await b.close()


def _announced(captured_events, user: User) -> list[str]:
    """The user's last activity announcements the hub delivered, in order."""
    events = [e for e in captured_events.delivered if e.kind == LastActivity.kind and e.user_id == user.pk]
    return ["online" if e.last_seen_at is None else "offline" for e in events]


async def test_subscribers_hear_online_and_offline_across_several_devices(captured_events):
    alice, bob = await db(make_user)(), await db(make_user)()
    await db(_seen_ago)(bob, 30)
    a = await sama_connected(alice)
    response = await a.request("user_last_activity_subscribe", {"id": str(bob.pk)}, "4")
    assert response["id"] == "4" and time.time() - 35 <= response["last_activity"][str(bob.pk)] <= time.time() - 29
    phone = await sama_connected(bob, "phone")
    assert await a.receive() == {"last_activity": {str(bob.pk): "online"}}
    laptop = await sama_connected(bob, "laptop")
    await captured_events.flush()  # what the hub had to deliver, it has: a frame would be there now
    assert _announced(captured_events, bob) == ["online"]  # still online: no news
    await a.nothing(timeout=0)
    await phone.close()
    await captured_events.flush()
    assert _announced(captured_events, bob) == ["online"]  # the laptop is still connected
    await a.nothing(timeout=0)
    closing = int(time.time())
    await laptop.close()
    gone = (await a.receive())["last_activity"][str(bob.pk)]
    assert closing <= gone <= time.time()  # when he went, in Unix seconds
    again = await a.request("user_last_activity", {"ids": [str(bob.pk)]})
    assert abs(again["last_activity"][str(bob.pk)] - gone) <= 1
    assert await a.request("user_last_activity_unsubscribe", {}, "5") == {"id": "5", "success": True}
    back = await sama_connected(bob, "phone")
    await captured_events.flush()
    assert _announced(captured_events, bob) == ["online", "offline", "online"]  # and no longer to alice
    await a.nothing(timeout=0)
    await back.close()
    await a.close()


async def test_subscribing_answers_online_and_unknown_users_are_404(captured_events):
    alice, bob = await db(make_user)(), await db(make_user)()
    b = await sama_connected(bob)
    # Bob's own "online" passes the hub before Alice listens, so it cannot reach her.
    await captured_events.next(LastActivity.kind, user_id=bob.pk, last_seen_at=None)
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
    offline = await captured_events.next(LastActivity.kind, user_id=bob.pk)  # announced, not to her
    assert offline.last_seen_at is not None
    await a.nothing(timeout=0)
    await a.close()


async def test_a_connection_that_logs_out_hears_no_more_last_activity(captured_events):
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    await a.request("user_last_activity_subscribe", {"id": str(bob.pk)})
    assert await a.request("user_logout", {}, "o") == {"id": "o", "success": True}
    b = await sama_connected(bob)
    await captured_events.flush()
    assert _announced(captured_events, bob) == ["online"]
    await a.nothing(timeout=0)
    await a.close()
    await b.close()
