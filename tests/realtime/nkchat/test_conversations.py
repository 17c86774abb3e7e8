"""chat/conversation: create, get, delete, add_members, remove_members, get_members, and their events."""

import pytest

from chats.models import Conversation, Participant
from tests.helpers import db, make_user
from tests.realtime.nkchat.client import ev, nk_connected

pytestmark = pytest.mark.django_db(transaction=True)


def _members(conversation_id):
    return sorted(Participant.objects.filter(conversation_id=conversation_id).values_list("user_id", flat=True))


async def test_create_always_includes_the_creator_and_get_answers_the_conversation():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await nk_connected(alice)
    created = await a.ok("conversation", "create", {"name": "Team", "description": "Desc", "user_ids": [str(bob.pk)]})
    cid = created["conversation_id"]
    assert set(created) == {"conversation_id"}
    assert await db(_members)(int(cid)) == sorted([alice.pk, bob.pk])
    got = await a.ok("conversation", "get", {"conversation_id": cid})
    assert got == {
        "conversation_id": cid,
        "name": "Team",
        "description": "Desc",
        "owner_id": str(alice.pk),
        "created_time": got["created_time"],
        "updated_time": got["updated_time"],
    }
    # naming the creator, or nobody, makes no difference
    again = await a.ok("conversation", "create", {"name": "Solo", "user_ids": [alice.pk]})
    assert await db(_members)(int(again["conversation_id"])) == [alice.pk]
    alone = await a.ok("conversation", "create", {})
    assert await db(_members)(int(alone["conversation_id"])) == [alice.pk]
    await a.close()


async def test_create_errors():
    alice = await db(make_user)()
    a = await nk_connected(alice)
    assert await a.error("conversation", "create", {"user_ids": ["999999"]}) == {
        "error": "Users not found: 999999",
        "code": 404,
    }
    assert await a.error("conversation", "create", {"user_ids": "1"}) == {
        "error": "user_ids must be a list",
        "code": 422,
    }
    assert await a.error("conversation", "create", {"name": 3}) == {
        "error": "name must be a string of at most 255 characters",
        "code": 422,
    }
    await a.close()


async def test_only_participants_get_a_conversation():
    alice, mallory = await db(make_user)(), await db(make_user)()
    a, m = await nk_connected(alice), await nk_connected(mallory)
    cid = (await a.ok("conversation", "create", {"name": "Private"}))["conversation_id"]
    not_found = {"error": "Conversation not found", "code": 404}
    assert await m.error("conversation", "get", {"conversation_id": cid}) == not_found
    assert await m.error("conversation", "get", {"conversation_id": "999999"}) == not_found
    assert await m.error("conversation", "get_members", {"conversation_id": cid}) == not_found
    assert await m.error("conversation", "add_members", {"conversation_id": cid, "user_ids": [mallory.pk]}) == not_found
    assert await m.error("conversation", "delete", {"conversation_id": cid}) == not_found
    assert await m.error("conversation", "get", {}) == {"error": "conversation_id is required", "code": 422}
    await a.close()
    await m.close()


async def test_members_are_added_listed_and_removed_with_events():
    alice, bob, carol = await db(make_user)("al"), await db(make_user)("bo"), await db(make_user)("ca")
    a, b, c = await nk_connected(alice), await nk_connected(bob), await nk_connected(carol)
    for client in (a, b, c):
        await client.subscribe(subclass="conversation", type="*")
    cid = (await a.ok("conversation", "create", {"name": "G", "user_ids": [bob.pk]}))["conversation_id"]
    for client in (a, b):
        assert await client.event() == ev("conversation", "created", cid)
    await c.nothing()

    assert await b.ok("conversation", "add_members", {"conversation_id": cid, "user_ids": [str(carol.pk)]}) == {}
    added = ev("conversation", "added_memebers", cid, {"user_ids": [str(carol.pk)]})
    for client in (a, b, c):
        assert await client.event() == added
        # the service also stores a system message about the addition
        notice = await client.event()
        assert notice["type"] == "created_message" and notice["obj_id"] == cid

    members = await c.ok("conversation", "get_members", {"conversation_id": cid})
    assert members["user_ids"] == [str(alice.pk), str(bob.pk), str(carol.pk)]
    assert [u["login"] for u in members["users"]] == ["al", "bo", "ca"]

    refused = await b.error("conversation", "remove_members", {"conversation_id": cid, "user_ids": [carol.pk]})
    assert refused == {"error": "Only the owner removes participants", "code": 403}
    assert await a.ok("conversation", "remove_members", {"conversation_id": cid, "user_ids": [carol.pk]}) == {}
    removed = ev("conversation", "removed_memebers", cid, {"user_ids": [str(carol.pk)]})
    for client in (a, b, c):
        assert await client.event() == removed
    for client in (a, b):
        assert (await client.event())["type"] == "created_message"
    await c.nothing()
    assert await c.error("conversation", "get", {"conversation_id": cid}) == {
        "error": "Conversation not found",
        "code": 404,
    }
    for client in (a, b, c):
        await client.close()


async def test_member_command_errors():
    alice = await db(make_user)()
    a = await nk_connected(alice)
    cid = (await a.ok("conversation", "create", {"name": "G"}))["conversation_id"]
    for cmd in ("add_members", "remove_members"):
        assert await a.error("conversation", cmd, {"conversation_id": cid}) == {
            "error": "user_ids must be a list",
            "code": 422,
        }
        assert await a.error("conversation", cmd, {"conversation_id": cid, "user_ids": []}) == {
            "error": "user_ids must not be empty",
            "code": 422,
        }
        assert await a.error("conversation", cmd, {"user_ids": [alice.pk]}) == {
            "error": "conversation_id is required",
            "code": 422,
        }
    assert await a.error("conversation", "add_members", {"conversation_id": cid, "user_ids": ["999999"]}) == {
        "error": "Users not found: 999999",
        "code": 404,
    }
    assert await a.error("conversation", "get_members", {"conversation_id": "x"}) == {
        "error": "conversation_id is not a valid id",
        "code": 422,
    }
    await a.close()


async def test_the_owner_deletes_the_conversation_for_everyone():
    alice, bob = await db(make_user)(), await db(make_user)()
    a, b = await nk_connected(alice), await nk_connected(bob)
    cid = (await a.ok("conversation", "create", {"name": "G", "user_ids": [bob.pk]}))["conversation_id"]
    await b.subscribe(subclass="conversation", type="deleted", obj_id=cid)
    refused = await b.error("conversation", "delete", {"conversation_id": cid})
    assert refused == {"error": "Only the owner deletes a group", "code": 403}
    assert await a.ok("conversation", "delete", {"conversation_id": cid}) == {}
    assert await b.event() == ev("conversation", "deleted", cid)
    assert not await db(Conversation.objects.filter(pk=int(cid)).exists)()
    assert await a.error("conversation", "delete", {"conversation_id": cid}) == {
        "error": "Conversation not found",
        "code": 404,
    }
    await a.close()
    await b.close()
