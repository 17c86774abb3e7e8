"""GROUP_CREATE, GROUP_ADD_MEMBER, GROUP_LEAVE and the GROUP_DELIVER_REQUEST each member gets."""

import re

import pytest

from chats.models import Conversation, Participant
from tests.helpers import db, make_user, sama_connected
from tests.realtime.hooligram.client import hooligram_connected, make_phone_user

pytestmark = pytest.mark.django_db(transaction=True)

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _delivered_group(frame: dict) -> dict:
    """The GROUP_DELIVER_REQUEST payload, after checking the frame's shape."""
    assert frame["type"] == "GROUP_DELIVER_REQUEST", frame
    assert isinstance(frame["id"], str) and frame["id"]
    payload = dict(frame["payload"])
    assert ISO.match(payload.pop("date_created"))
    return payload


async def test_create_a_group_and_every_member_gets_it():
    alice, alice_code = await make_phone_user("65", "91000001")
    bob, bob_code = await make_phone_user("65", "91000002")
    carol = await db(make_user)("carol")  # a SAMA user: her sid is her login
    a = await hooligram_connected(alice, alice_code)
    b = await hooligram_connected(bob, bob_code)
    sids = ["65.91000001", "65.91000002", "carol"]
    created = await a.act("GROUP_CREATE_REQUEST", {"group_name": "Hooligans", "member_sids": sids}, "g1")
    assert created["type"] == "GROUP_CREATE_SUCCESS" and set(created["payload"]) == {"group_id"}
    group_id = created["payload"]["group_id"]
    assert isinstance(group_id, int)
    expected = {
        "group_id": group_id,
        "group_name": "Hooligans",
        "group_type": 0,
        "is_direct_message": False,
        "member_sids": sids,
    }
    for client in (a, b):
        assert _delivered_group(await client.receive()) == expected
    conversation = await db(Conversation.objects.get)(pk=group_id)
    assert conversation.type == "g" and conversation.owner_id == alice.pk
    assert await db(Participant.objects.filter(conversation=conversation).count)() == 3
    assert carol.sid == "carol"
    await a.nothing()
    await a.close()
    await b.close()


async def test_two_members_and_no_name_make_a_direct_message():
    alice, alice_code = await make_phone_user("65", "91000011")
    await make_phone_user("65", "91000012")
    a = await hooligram_connected(alice, alice_code)
    created = await a.act("GROUP_CREATE_REQUEST", {"member_sids": ["65.91000011", "65.91000012"]}, "dm")
    group_id = created["payload"]["group_id"]
    delivered = _delivered_group(await a.receive())
    assert delivered == {
        "group_id": group_id,
        "group_name": "",
        "group_type": 1,
        "is_direct_message": True,
        "member_sids": ["65.91000011", "65.91000012"],
    }
    # asking again answers the same direct message, and delivers it again
    again = await a.act("GROUP_CREATE_REQUEST", {"group_name": "", "member_sids": ["65.91000012", "65.91000011"]})
    assert again["type"] == "GROUP_CREATE_SUCCESS" and again["payload"] == {"group_id": group_id}
    assert _delivered_group(await a.receive())["group_id"] == group_id
    await a.close()


async def test_create_failures():
    alice, alice_code = await make_phone_user("65", "91000021")
    await make_phone_user("65", "91000022")
    a = await hooligram_connected(alice, alice_code)
    cases = [
        ({}, "member_sids not in payload"),
        ({"member_sids": "65.91000022"}, "member_sids not in payload"),
        ({"member_sids": ["65.91000021"]}, "need at least two members"),
        ({"member_sids": ["65.91000022", "nobody"]}, "include group creator in member_sids"),
        ({"member_sids": ["65.91000021", "65.99999999"]}, "member not found"),
        ({"group_name": 5, "member_sids": ["65.91000021", "65.91000022"]}, "group_name must be a string"),
        ({"group_name": 0, "member_sids": ["65.91000021", "65.91000022"]}, "group_name must be a string"),
        ({"group_name": False, "member_sids": ["65.91000021", "65.91000022"]}, "group_name must be a string"),
        ({"group_name": [], "member_sids": ["65.91000021", "65.91000022"]}, "group_name must be a string"),
        ({"group_name": "x" * 300, "member_sids": ["65.91000021", "65.91000022"]}, None),
        # checked before the sids are looked up, so that a long list costs no query
        (
            {"member_sids": ["65.91000021", *(f"1.{90000000 + n}" for n in range(1001))]},
            "a group has at most 1000 participants",
        ),
    ]
    for n, (payload, reason) in enumerate(cases):
        answer = await a.act("GROUP_CREATE_REQUEST", payload, f"c{n}")
        assert answer["type"] == "GROUP_CREATE_FAILURE", answer
        assert answer["id"] == f"c{n}" and len(answer["payload"]["errors"]) == 1
        if reason is not None:
            assert answer["payload"] == {"errors": [reason]}
    assert await db(Conversation.objects.count)() == 0
    await a.close()


async def test_add_member_delivers_the_group_to_every_member():
    alice, alice_code = await make_phone_user("65", "91000031")
    bob, bob_code = await make_phone_user("65", "91000032")
    carol, carol_code = await make_phone_user("65", "91000033")
    a = await hooligram_connected(alice, alice_code)
    c = await hooligram_connected(carol, carol_code)
    created = await a.act("GROUP_CREATE_REQUEST", {"group_name": "G", "member_sids": [alice.sid, bob.sid]})
    group_id = created["payload"]["group_id"]
    await a.receive()  # GROUP_DELIVER_REQUEST
    added = await a.act("GROUP_ADD_MEMBER_REQUEST", {"group_id": group_id, "member_sid": carol.sid}, "add")
    assert added == {"id": "add", "payload": {}, "type": "GROUP_ADD_MEMBER_SUCCESS"}
    for client in (a, c):
        delivered = _delivered_group(await client.receive())
        assert delivered["group_id"] == group_id
        assert delivered["member_sids"] == [alice.sid, bob.sid, carol.sid]
    # bob was offline: he gets the group at sign-in
    b = await hooligram_connected(bob, bob_code)
    assert _delivered_group(await b.receive())["member_sids"] == [alice.sid, bob.sid, carol.sid]
    await b.nothing()
    for client in (a, b, c):
        await client.close()


async def test_add_member_failures():
    alice, alice_code = await make_phone_user("65", "91000041")
    bob, bob_code = await make_phone_user("65", "91000042")
    a = await hooligram_connected(alice, alice_code)
    b = await hooligram_connected(bob, bob_code)
    dm = (await a.act("GROUP_CREATE_REQUEST", {"member_sids": [alice.sid, bob.sid]}))["payload"]["group_id"]
    await a.receive()
    await b.receive()
    mine = (await a.act("GROUP_CREATE_REQUEST", {"group_name": "A", "member_sids": [alice.sid, "nobody"]}))["payload"]
    assert mine == {"errors": ["member not found"]}
    cases = [
        ({"member_sid": bob.sid}, "group_id not in payload"),
        ({"group_id": dm}, "member_sid not in payload"),
        ({"group_id": "abc", "member_sid": bob.sid}, "group_id is not a valid id"),
        ({"group_id": dm, "member_sid": "65.1234"}, "member not found"),
        ({"group_id": 999999, "member_sid": bob.sid}, "not in group"),
        ({"group_id": dm, "member_sid": bob.sid}, "a private conversation's participants cannot change"),
    ]
    for n, (payload, reason) in enumerate(cases):
        answer = await a.act("GROUP_ADD_MEMBER_REQUEST", payload, f"m{n}")
        assert answer == {"id": f"m{n}", "payload": {"errors": [reason]}, "type": "GROUP_ADD_MEMBER_FAILURE"}
    await a.close()
    await b.close()


async def test_leave_a_group():
    alice, alice_code = await make_phone_user("65", "91000051")
    bob, bob_code = await make_phone_user("65", "91000052")
    a = await hooligram_connected(alice, alice_code)
    b = await hooligram_connected(bob, bob_code)
    created = await a.act("GROUP_CREATE_REQUEST", {"group_name": "G", "member_sids": [alice.sid, bob.sid]})
    group_id = created["payload"]["group_id"]
    await a.receive()
    await b.receive()
    left = await b.act("GROUP_LEAVE_REQUEST", {"group_id": group_id}, "l1")
    assert left == {"id": "l1", "payload": {}, "type": "GROUP_LEAVE_SUCCESS"}
    # the members who stay get the group without the leaver; the leaver gets nothing more
    assert _delivered_group(await a.receive())["member_sids"] == [alice.sid]
    await b.nothing()
    again = await b.act("GROUP_LEAVE_REQUEST", {"group_id": group_id}, "l2")
    assert again == {"id": "l2", "payload": {"errors": ["not in group"]}, "type": "GROUP_LEAVE_FAILURE"}
    missing = await b.act("GROUP_LEAVE_REQUEST", {}, "l3")
    assert missing == {"id": "l3", "payload": {"errors": ["group_id not in payload"]}, "type": "GROUP_LEAVE_FAILURE"}
    await a.close()
    await b.close()


async def test_group_changes_made_over_sama_reach_hooligram_members():
    sara = await db(make_user)("sara")
    hugo, hugo_code = await make_phone_user("44", "7400900101")
    hana, hana_code = await make_phone_user("44", "7400900102")
    s = await sama_connected(sara)
    h = await hooligram_connected(hugo, hugo_code)
    n = await hooligram_connected(hana, hana_code)
    created = await s.request("conversation_create", {"type": "g", "name": "Team", "participants": [hugo.pk, hana.pk]})
    group_id = int(created["conversation"]["_id"])
    for client in (h, n):
        delivered = _delivered_group(await client.receive())
        assert delivered == {
            "group_id": group_id,
            "group_name": "Team",
            "group_type": 0,
            "is_direct_message": False,
            "member_sids": ["sara", hugo.sid, hana.sid],
        }
    await s.request("conversation_update", {"id": str(group_id), "name": "Squad", "participants": {}})
    for client in (h, n):
        assert _delivered_group(await client.receive())["group_name"] == "Squad"
    await s.request("conversation_update", {"id": str(group_id), "participants": {"remove": [hana.pk]}})
    assert _delivered_group(await h.receive())["member_sids"] == ["sara", hugo.sid]
    await n.nothing()  # the removed member is no longer told about the group
    for client in (s, h, n):
        await client.close()
