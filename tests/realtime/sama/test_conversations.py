from datetime import UTC, datetime, timedelta

import pytest

from chats.models import Conversation
from tests.helpers import db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)

BRIEF_KEYS = {
    "_id",
    "type",
    "name",
    "description",
    "opponent_id",
    "owner_id",
    "participants",
    "created_at",
    "updated_at",
}


async def test_private_conversation_is_created_once_and_announced():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    b = await sama_connected(bob)
    response = await a.request("conversation_create", {"type": "u", "participants": [str(bob.pk)]}, "4")
    conversation = response["conversation"]
    assert conversation["type"] == "u"
    assert conversation["owner_id"] == str(alice.pk) and conversation["opponent_id"] == str(bob.pk)
    notice = (await b.receive())["system_message"]
    assert set(notice) == {"_id", "t", "cid", "from", "x"}
    assert notice["cid"] == conversation["_id"] and notice["from"] == str(alice.pk)
    created = notice["x"]["conversation_created"]
    assert set(created) == BRIEF_KEYS and created["participants"] == [str(alice.pk), str(bob.pk)]
    again = await b.request("conversation_create", {"type": "u", "participants": [str(alice.pk)]})
    assert again["conversation"]["_id"] == conversation["_id"]
    await a.nothing()
    await a.close()
    await b.close()


async def test_conversation_create_errors():
    alice, bob, carol = await db(make_user)(), await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    too_many = await a.request("conversation_create", {"type": "u", "participants": [str(bob.pk), str(carol.pk)]}, "1")
    assert too_many == {
        "id": "1",
        "error": {"status": 422, "message": "A private conversation has exactly one other participant"},
    }
    bad_type = await a.request("conversation_create", {"type": "x", "participants": [str(bob.pk)]}, "2")
    assert bad_type == {"id": "2", "error": {"status": 422, "message": "type must be 'u' or 'g'"}}
    unknown = await a.request("conversation_create", {"type": "g", "participants": ["987654"]}, "3")
    assert unknown == {"id": "3", "error": {"status": 404, "message": "Users not found: 987654"}}
    await a.close()


async def test_group_update_adds_and_removes_with_events_and_stored_messages():
    owner, bob, carol = await db(make_user)("owner"), await db(make_user)("bob"), await db(make_user)("carol")
    o = await sama_connected(owner)
    b = await sama_connected(bob)
    c = await sama_connected(carol)
    cid = await o.group_create(bob)
    await b.receive()
    response = await o.request(
        "conversation_update",
        {"id": cid, "name": "New", "description": "Desc", "participants": {"add": [str(carol.pk)], "remove": []}},
        "5",
    )
    assert response["conversation"]["name"] == "New" and response["conversation"]["description"] == "Desc"
    # bob: the rename, then the stored "added" message
    assert (await b.receive())["system_message"]["x"]["conversation_updated"]["name"] == "New"
    added = (await b.receive())["message"]
    assert added["body"] == "carol has been added to the group"
    assert added["x"]["type"] == "added_participant" and added["x"]["user"]["login"] == "carol"
    # carol: told about the conversation she was added to, then the stored message
    assert (await c.receive())["system_message"]["x"]["conversation_updated"]["_id"] == cid
    assert (await c.receive())["message"]["x"]["type"] == "added_participant"
    # the stored message reaches the acting user's connections too, so their history shows it
    assert (await o.receive())["message"]["_id"] == added["_id"]

    refused = await b.request("conversation_update", {"id": cid, "participants": {"remove": [str(carol.pk)]}}, "6")
    assert refused == {"id": "6", "error": {"status": 403, "message": "Only the owner removes participants"}}

    await o.request("conversation_update", {"id": cid, "participants": {"remove": [str(carol.pk)]}})
    kicked = (await c.receive())["system_message"]
    assert kicked["x"]["conversation_kicked"]["_id"] == cid
    removed = (await b.receive())["message"]
    assert removed["x"]["type"] == "removed_participant" and removed["x"]["user"]["login"] == "carol"
    assert (await o.receive())["message"]["_id"] == removed["_id"]
    gone = await c.request("message_list", {"cid": cid}, "7")
    assert gone == {"id": "7", "error": {"status": 404, "message": "Conversation not found"}}
    for client in (o, b, c):
        await client.close()


async def test_leaving_and_deleting_a_group():
    owner, bob = await db(make_user)("own"), await db(make_user)("lane1991")
    o = await sama_connected(owner)
    b = await sama_connected(bob)
    cid = await o.group_create(bob)
    await b.receive()
    assert await b.request("conversation_delete", {"id": cid}, "4") == {"id": "4", "success": True}
    left = (await o.receive())["message"]
    assert left["body"] == "lane1991 has left the group" and left["x"]["type"] == "left_participants"
    assert set(left["x"]["user"]) >= {"_id", "native_id", "login"}
    assert (await b.request("conversation_list", {}))["conversations"] == []
    # the owner's delete is a leave too: the group stays with bob, who now owns it
    cid2 = await o.group_create(bob, name="H")
    await b.receive()
    assert await o.request("conversation_delete", {"id": cid2}, "5") == {"id": "5", "success": True}
    left = (await b.receive())["message"]
    assert left["body"] == "own has left the group" and left["x"]["type"] == "left_participants"
    assert left["x"]["user"]["_id"] == str(owner.pk)
    [kept] = (await b.request("conversation_list", {}))["conversations"]
    assert (kept["_id"], kept["owner_id"]) == (cid2, str(bob.pk))
    missing = await o.request("conversation_delete", {"id": cid2}, "6")
    assert missing == {"id": "6", "error": {"status": 404, "message": "Conversation not found"}}
    # the last one out deletes it
    assert await b.request("conversation_delete", {"id": cid2}, "7") == {"id": "7", "success": True}
    assert (await b.request("conversation_list", {}))["conversations"] == []
    await o.close()
    await b.close()


async def test_removing_oneself_by_conversation_update_is_leaving():
    owner, bob, carol = await db(make_user)("own"), await db(make_user)("lane1991"), await db(make_user)("carol")
    o, b = await sama_connected(owner), await sama_connected(bob)
    cid = await o.group_create(bob, carol)
    await b.receive()
    removal = {"id": cid, "participants": {"remove": [str(owner.pk), str(carol.pk)]}}
    assert (await o.request("conversation_update", removal, "u"))["id"] == "u"
    frames = [await b.receive() for _ in range(2)]
    assert [(f["message"]["body"], f["message"]["x"]["type"]) for f in frames] == [
        ("own has left the group", "left_participants"),
        ("carol has been removed from the group", "removed_participant"),
    ]
    await o.close()
    await b.close()


async def test_a_deleted_account_leaves_its_groups_and_hands_them_on():
    owner, bob = await db(make_user)("own"), await db(make_user)("lane1991")
    o, b = await sama_connected(owner), await sama_connected(bob)
    cid = await o.group_create(bob, name="H")
    await b.receive()
    assert await o.request("user_delete", {}, "d") == {"id": "d", "success": True}
    left = (await b.receive())["message"]
    assert left["body"] == "own has left the group" and left["x"]["type"] == "left_participants"
    [kept] = (await b.request("conversation_list", {}))["conversations"]
    assert (kept["_id"], kept["owner_id"]) == (cid, str(bob.pk))
    await o.close()
    await b.close()


async def test_list_search_and_participants():
    alice, bob, carol = await db(make_user)("alice"), await db(make_user)("breadpit"), await db(make_user)("carol18")
    a = await sama_connected(alice)
    first = await a.request(
        "conversation_create", {"type": "g", "name": "conversationNameTest", "participants": [str(bob.pk)]}
    )
    second = await a.request("conversation_create", {"type": "u", "participants": [str(carol.pk)]})
    cid1, cid2 = first["conversation"]["_id"], second["conversation"]["_id"]
    listed = (await a.request("conversation_list", {"limit": 67}))["conversations"]
    assert [c["_id"] for c in listed] == [cid2, cid1]
    assert set(listed[0]) == {
        "_id",
        "name",
        "type",
        "description",
        "owner_id",
        "opponent_id",
        "created_at",
        "updated_at",
        "unread_messages_count",
        "muted",
        "archived",
    }
    assert (listed[0]["muted"], listed[0]["archived"]) == (False, False)
    assert (await a.request("conversation_list", {"limit": 1}))["conversations"][0]["_id"] == cid2
    bad = await a.request("conversation_list", {"updated_at": {"gt": "yesterday"}}, "b")
    assert bad["error"]["status"] == 422
    found = (await a.request("conversation_search", {"name": "nameTest", "limit": 100}))["conversations"]
    assert [(c["_id"], c["name"]) for c in found] == [(cid1, "conversationNameTest")]
    participants = await a.request("get_participants_by_cids", {"cids": [cid1, cid2, "999999"]})
    assert sorted(u["login"] for u in participants["users"]) == ["alice", "breadpit", "carol18"]
    assert participants["conversations"] == {
        cid1: [str(alice.pk), str(bob.pk)],
        cid2: [str(alice.pk), str(carol.pk)],
    }
    await a.close()


async def test_system_messages_by_uids_and_by_cid():
    alice, bob, carol = await db(make_user)(), await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    b = await sama_connected(bob)
    c = await sama_connected(carol)
    await a.send({"system_message": {"id": "s1", "uids": [str(bob.pk)], "x": {"param1": "value"}}})
    notice = (await b.receive())["system_message"]
    assert notice == {"_id": "s1", "t": notice["t"], "from": str(alice.pk), "x": {"param1": "value"}}
    await c.nothing()
    cid = await a.group_create(carol)
    await c.receive()
    await a.send({"system_message": {"id": "s2", "cid": cid, "x": {"k": 1}}})
    notice = (await c.receive())["system_message"]
    assert notice == {"_id": "s2", "t": notice["t"], "cid": cid, "from": str(alice.pk), "x": {"k": 1}}
    await b.nothing()
    await b.send({"system_message": {"id": "s3", "cid": cid, "x": {}}})
    assert await b.receive() == {
        "system_message": {"id": "s3", "error": {"status": 404, "message": "Conversation not found"}}
    }
    for client in (a, b, c):
        await client.close()


async def test_a_participant_blocked_from_posting_cannot_change_the_group():
    from chats.blocking import participant_block_set

    owner, bob = await db(make_user)(), await db(make_user)()
    o = await sama_connected(owner)
    b = await sama_connected(bob)
    cid = await o.group_create(bob)
    await b.receive()
    await db(participant_block_set)(owner, conversation_id=int(cid), user_id=bob.pk, blocked=True)
    refused = await b.request("conversation_update", {"id": cid, "name": "Mine", "participants": {}}, "u")
    assert refused == {
        "id": "u",
        "error": {"status": 403, "message": "You are blocked from posting in this conversation"},
    }
    # leaving stays possible
    assert await b.request("conversation_delete", {"id": cid}, "d") == {"id": "d", "success": True}
    await o.close()
    await b.close()


async def test_conversation_search_takes_both_bounds_of_updated_at():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    cids = []
    for name in ("team older", "team newer"):
        created = await a.request("conversation_create", {"type": "g", "name": name, "participants": [str(bob.pk)]})
        cids.append(int(created["conversation"]["_id"]))
    then = datetime(2024, 3, 1, tzinfo=UTC)
    await db(Conversation.objects.filter(pk=cids[0]).update)(updated_at=then)
    await db(Conversation.objects.filter(pk=cids[1]).update)(updated_at=then + timedelta(days=2))
    bound = (then + timedelta(days=1)).isoformat().replace("+00:00", "Z")

    async def found(updated_at: dict) -> list[str]:
        response = await a.request("conversation_search", {"name": "team", "updated_at": updated_at})
        return [c["name"] for c in response["conversations"]]

    assert await found({"lt": bound}) == ["team older"]
    assert await found({"gt": bound}) == ["team newer"]
    assert await found({}) == ["team newer", "team older"]
    bad = await a.request("conversation_search", {"name": "team", "updated_at": {"lt": "soon"}}, "b")
    assert bad == {"id": "b", "error": {"status": 422, "message": "updated_at.lt must be a timestamp in milliseconds"}}
    await a.close()


async def test_lists_page_by_milliseconds_or_an_iso_date_alike():
    """The official web app pages with `updated_at: {lt: "<ISO date>"}`: every list takes both forms."""
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    created = await a.request("conversation_create", {"type": "g", "name": "paging", "participants": [str(bob.pk)]})
    cid = created["conversation"]["_id"]
    for text in ("one", "two"):
        await a.send({"message": {"id": text, "cid": cid, "body": text}})
        assert "ack" in await a.receive()
    newest = (await a.request("message_list", {"cid": cid, "limit": 1}))["messages"][0]
    iso = newest["created_at"]
    ms = int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)
    for bound in (iso, ms):
        older = (await a.request("message_list", {"cid": cid, "updated_at": {"lt": bound}}))["messages"]
        assert [m["body"] for m in older] == ["one"], bound
    for bound in ("2000-01-01T00:00:00.000Z", 946684800000):
        assert (await a.request("conversation_list", {"updated_at": {"lt": bound}}))["conversations"] == []
        listed = (await a.request("conversation_list", {"updated_at": {"gt": bound}}))["conversations"]
        assert [c["_id"] for c in listed] == [cid]
