"""What SAMA's own web app and SDK read that its document leaves out: sign-up with the login as
e-mail, messages' updated_at, attachments only when there are some, the last message's status,
files' object_id, and a clear answer to the requests this server does not offer."""

import asyncio

import pytest

from accounts.models import User
from tests.helpers import PASSWORD, SamaClient, db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def test_sign_up_keeps_any_email_as_given_and_an_edit_checks_it():
    client = await SamaClient().open()
    created = await client.request("user_create", {"login": "ann", "email": "Ann", "password": PASSWORD}, "1")
    assert created["user"]["login"] == "ann" and created["user"]["email"] == "Ann"
    assert (await db(User.objects.get)(username="ann")).email == "Ann"
    await client.login_as(await db(User.objects.get)(username="ann"))
    refused = await client.request("user_edit", {"email": "Ann"}, "2")
    assert refused == {"id": "2", "error": {"status": 422, "message": "email is not valid"}}
    await client.close()


async def test_a_message_has_updated_at_which_moves_with_an_edit_and_no_empty_attachments():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    b = await sama_connected(bob)
    cid = await a.group_create(bob)
    await b.receive()
    await a.send({"message": {"id": "m1", "body": "first", "cid": cid}})
    mid = (await a.receive())["ask"]["server_mid"]
    delivered = (await b.receive())["message"]
    assert "attachments" not in delivered and delivered["updated_at"] == delivered["created_at"]
    await asyncio.sleep(0.01)  # an edit is a later moment than the send
    assert (await a.request("message_edit", {"id": mid, "body": "changed"}))["success"] is True
    await b.receive()  # message_edit
    [listed] = (await b.request("message_list", {"cid": cid}))["messages"]
    assert "attachments" not in listed and listed["updated_at"] > listed["created_at"]
    await a.close()
    await b.close()


async def test_the_last_message_in_conversation_list_says_whether_it_was_read():
    alice, bob = await db(make_user)(), await db(make_user)()
    a = await sama_connected(alice)
    b = await sama_connected(bob)
    cid = await a.group_create(bob)
    await b.receive()
    await a.send({"message": {"id": "m1", "body": "hello", "cid": cid}})
    mid = (await a.receive())["ask"]["server_mid"]
    await b.receive()
    [listed] = (await a.request("conversation_list", {}))["conversations"]
    assert listed["last_message"]["_id"] == mid and listed["last_message"]["status"] == "sent"
    assert "attachments" not in listed["last_message"]
    assert (await b.request("message_read", {"cid": cid, "ids": [mid]}))["success"] is True
    assert (await a.receive())["message_read"]["ids"] == [mid]
    [listed] = (await a.request("conversation_list", {}))["conversations"]
    assert listed["last_message"]["status"] == "read"
    await a.close()
    await b.close()


async def test_created_files_carry_their_object_id_which_get_file_urls_takes():
    alice = await db(make_user)()
    a = await sama_connected(alice)
    created = await a.request("create_files", [{"name": "a.png", "size": 4, "content_type": "image/png"}])
    [file] = created["files"]
    assert file["object_id"] == file["_id"]
    urls = await a.request("get_file_urls", {"file_ids": [file["object_id"]]})
    assert set(urls["file_urls"]) == {file["object_id"]}
    await a.close()


async def test_the_ai_requests_are_answered_as_not_supported():
    alice = await db(make_user)()
    a = await sama_connected(alice)
    summary = await a.request("message_summary", {"cid": "1", "filter": "last-day"}, "s1")
    assert summary == {
        "id": "s1",
        "error": {"status": 501, "message": "message_summary is not supported by this server"},
    }
    tone = await a.request("message_tone", {"body": "hi", "tone": "positive"}, "t1")
    assert tone == {"id": "t1", "error": {"status": 501, "message": "message_tone is not supported by this server"}}
    assert (await a.request("user_last_activity", {"ids": [str(alice.pk)]}, "x"))["id"] == "x"  # still serving
    await a.close()
