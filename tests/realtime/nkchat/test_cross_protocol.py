"""NkCHAT, SAMA and Hooligram share one world: messages and changes cross between them in real time."""

import pytest

from tests.helpers import db, make_user, sama_connected
from tests.realtime.hooligram.client import hooligram_connected, make_phone_user
from tests.realtime.nkchat.client import ev, nk_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_message_created_over_nkchat_reaches_a_sama_client():
    alice, bob = await db(make_user)(), await db(make_user)()
    nk = await nk_connected(alice)
    sama = await sama_connected(bob)
    cid = (await nk.ok("conversation", "create", {"name": "Mixed", "user_ids": [str(bob.pk)]}))["conversation_id"]
    notice = (await sama.receive())["system_message"]
    assert notice["x"]["conversation_created"]["_id"] == cid
    mid = (await nk.ok("message", "create", {"conversation_id": cid, "message": "from nkchat"}))["message_id"]
    delivered = (await sama.receive())["message"]
    assert delivered["_id"] == mid and delivered["cid"] == cid
    assert delivered["body"] == "from nkchat" and delivered["from"] == str(alice.pk)
    await nk.ok("message", "update", {"conversation_id": cid, "message_id": mid, "message": "edited"})
    assert await sama.receive() == {
        "message_edit": {"id": mid, "cid": cid, "c_type": "g", "from": str(alice.pk), "body": "edited"}
    }
    await nk.ok("message", "delete", {"conversation_id": cid, "message_id": mid})
    assert await sama.receive() == {"message_delete": {"cid": cid, "ids": [mid], "type": "all", "from": str(alice.pk)}}
    await nk.close()
    await sama.close()


async def test_a_sama_message_raises_created_message_for_a_subscribed_nkchat_client():
    alice, bob = await db(make_user)(), await db(make_user)()
    nk = await nk_connected(alice)
    await nk.subscribe(subclass="conversation")
    sama = await sama_connected(bob)
    response = await sama.request(
        "conversation_create", {"name": "Mixed", "type": "g", "participants": [str(alice.pk)]}
    )
    cid = response["conversation"]["_id"]
    assert await nk.event() == ev("conversation", "created", cid)
    await sama.send({"message": {"id": "c1", "body": "from sama", "cid": cid}})
    mid = (await sama.receive())["ack"]["server_mid"]
    assert await nk.event() == ev("conversation", "created_message", cid, {"message_id": mid})
    got = await nk.ok("message", "get", {"message_id": mid})
    assert got["message"] == "from sama" and got["user_id"] == str(bob.pk)
    await sama.request("message_edit", {"id": mid, "body": "edited"})
    assert await nk.event() == ev("conversation", "updated_message", cid, {"message_id": mid})
    await sama.request("message_delete", {"cid": cid, "ids": [mid], "type": "all"})
    assert await nk.event() == ev("conversation", "deleted_message", cid, {"message_id": mid})
    # SAMA's delete is a leave, the owner's too: alice stays, owns the group, and sees the notice
    await sama.request("conversation_delete", {"id": cid})
    assert await nk.event() == ev("conversation", "removed_memebers", cid, {"user_ids": [str(bob.pk)]})
    notice = await nk.event()
    assert (notice["type"], notice["obj_id"]) == ("created_message", cid)
    assert (await nk.ok("conversation", "get", {"conversation_id": cid}))["owner_id"] == str(alice.pk)
    await nk.close()
    await sama.close()


@pytest.fixture
def in_memory_sms(settings):
    settings.SMS_BACKEND = "accounts.sms.InMemorySmsBackend"


@pytest.mark.usefixtures("in_memory_sms")
async def test_nkchat_and_hooligram_messages_cross_both_ways():
    alice = await db(make_user)("alice")
    bob, bob_code = await make_phone_user("65", "93000001")
    nk = await nk_connected(alice)
    await nk.subscribe(subclass="conversation", type="created_message")
    hooli = await hooligram_connected(bob, bob_code)
    cid = (await nk.ok("conversation", "create", {"name": "Mixed", "user_ids": [str(bob.pk)]}))["conversation_id"]
    group = await hooli.receive()
    assert group["type"] == "GROUP_DELIVER_REQUEST" and group["payload"]["group_id"] == int(cid)
    assert group["payload"]["member_sids"] == ["alice", bob.sid]

    mid = (await nk.ok("message", "create", {"conversation_id": cid, "message": "from nkchat"}))["message_id"]
    assert await nk.event() == ev("conversation", "created_message", cid, {"message_id": mid})
    delivered = await hooli.receive()
    assert delivered["type"] == "MESSAGING_DELIVER_REQUEST"
    assert delivered["payload"]["message_id"] == int(mid) and delivered["payload"]["content"] == "from nkchat"
    assert delivered["payload"]["sender_sid"] == "alice"

    sent = await hooli.act("MESSAGING_SEND_REQUEST", {"group_id": int(cid), "content": "from hooligram"})
    hmid = str(sent["payload"]["message_id"])
    assert await nk.event() == ev("conversation", "created_message", cid, {"message_id": hmid})
    got = await nk.ok("message", "get", {"message_id": hmid})
    assert got["message"] == "from hooligram" and got["user_id"] == str(bob.pk)
    await nk.close()
    await hooli.close()
