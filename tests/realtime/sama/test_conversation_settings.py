"""This server's SAMA extension `conversation_settings_update {cid, muted?, archived?}`, and the
caller's `muted` and `archived` on `conversation_list` items."""

import pytest

from tests.helpers import SamaClient, db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)


def settings_of(listed: dict, cid: str) -> tuple[bool, bool]:
    [conversation] = [c for c in listed["conversations"] if c["_id"] == cid]
    return conversation["muted"], conversation["archived"]


async def test_each_participant_mutes_and_archives_for_themselves():
    alice, bob = await db(make_user)(), await db(make_user)()
    a, b = await sama_connected(alice), await sama_connected(bob)
    cid = await a.group_create(bob)
    await b.receive()  # conversation_created

    answer = await a.request("conversation_settings_update", {"cid": cid, "muted": True}, "s1")
    assert answer == {"id": "s1", "success": True}
    assert settings_of(await a.request("conversation_list", {}), cid) == (True, False)
    answer = await a.request("conversation_settings_update", {"cid": int(cid), "archived": True}, "s2")
    assert answer == {"id": "s2", "success": True}
    assert settings_of(await a.request("conversation_list", {}), cid) == (True, True)  # muted stays
    # The other participant's settings are their own.
    assert settings_of(await b.request("conversation_list", {}), cid) == (False, False)
    await b.nothing()  # nobody is told

    # A new message leaves an archived conversation archived (and muted): the server's rule.
    await b.send({"message": {"id": "m1", "cid": cid, "body": "still there?"}})
    assert "ack" in await b.receive()
    assert (await a.receive())["message"]["body"] == "still there?"
    listed = await a.request("conversation_list", {})
    assert settings_of(listed, cid) == (True, True) and listed["conversations"][0]["unread_messages_count"] == 1

    # null leaves a setting as it is; false turns it off.
    answer = await a.request("conversation_settings_update", {"cid": cid, "muted": None, "archived": False}, "s3")
    assert answer == {"id": "s3", "success": True}
    assert settings_of(await a.request("conversation_list", {}), cid) == (True, False)
    await a.request("conversation_settings_update", {"cid": cid, "muted": False})
    assert settings_of(await a.request("conversation_list", {}), cid) == (False, False)
    await a.close()
    await b.close()


async def test_settings_of_a_private_conversation():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    cid = await a.private_create(bob)
    answer = await a.request("conversation_settings_update", {"cid": cid, "muted": True, "archived": True}, "p")
    assert answer == {"id": "p", "success": True}
    assert settings_of(await a.request("conversation_list", {}), cid) == (True, True)
    await a.close()


async def test_conversation_settings_update_errors():
    alice, bob, stranger = await db(make_user)(), await db(make_user)(), await db(make_user)()
    a, s = await sama_connected(alice), await sama_connected(stranger)
    cid = await a.group_create(bob)

    def refused(request_id, status, message):
        return {"id": request_id, "error": {"status": status, "message": message}}

    not_found = refused("e1", 404, "Conversation not found")
    assert await a.request("conversation_settings_update", {"cid": "987654321", "muted": True}, "e1") == not_found
    # A conversation one is not in is answered as one that does not exist.
    assert await s.request("conversation_settings_update", {"cid": cid, "muted": True}, "e1") == not_found
    bad_types = [
        ({"cid": cid, "muted": "yes"}, "muted must be true or false"),
        ({"cid": cid, "muted": 1}, "muted must be true or false"),
        ({"cid": cid, "archived": "false"}, "archived must be true or false"),
        ({"cid": cid, "muted": True, "archived": []}, "archived must be true or false"),
        ({"cid": cid}, "muted or archived is required"),
        ({"cid": cid, "muted": None}, "muted or archived is required"),
        ({"muted": True}, "cid is not a valid id"),
        ({"cid": "abc", "muted": True}, "cid is not a valid id"),
        ({"cid": True, "muted": True}, "cid is not a valid id"),
    ]
    for params, message in bad_types:
        assert await a.request("conversation_settings_update", params, "e2") == refused("e2", 422, message), params
    wrong_shape = await a.request("conversation_settings_update", ["nope"], "e3")
    assert wrong_shape == refused("e3", 422, "conversation_settings_update must be an object")
    # Nothing refused changed anything.
    assert settings_of(await a.request("conversation_list", {}), cid) == (False, False)

    anonymous = await SamaClient().open()
    signed_out = await anonymous.request("conversation_settings_update", {"cid": cid, "muted": True}, "e4")
    assert signed_out == refused("e4", 401, "Unauthorized")
    for client in (a, s, anonymous):
        await client.close()
