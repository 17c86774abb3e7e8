"""Hooligram sign-ins' backlogs read in batches (`realtime.backlog_batches`): those asked for
together share one read, each sign-in still gets its own, and a failed read is each sign-in's
error answer."""

import asyncio

import pytest
from django.db import OperationalError

from messaging.sending import message_send
from realtime import backlog_batches
from tests.helpers import db, make_group, make_user
from tests.realtime.hooligram.client import hooligram_connected, make_phone_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("failure", "answer"),
    [(RuntimeError("a bug"), "server error"), (OperationalError("database gone"), "the server is busy; try again")],
)
async def test_a_failed_read_is_answered_to_each_sign_in_of_its_batch(monkeypatch, failure, answer):
    def failing(user_ids):
        raise failure

    monkeypatch.setattr(backlog_batches, "sign_in_backlogs", failing)
    users = [await make_phone_user("44", f"74009003{n:02d}") for n in range(2)]
    clients = await asyncio.gather(*(hooligram_connected(user, code) for user, code in users))
    for client in clients:
        frame = await client.receive()
        assert (frame["type"], frame["payload"]) == ("AUTHORIZATION_SIGN_IN_FAILURE", {"errors": [answer]})
        keep_alive = await client.act("CONN_KEEP_ALIVE_REQUEST")  # the connection keeps working
        assert keep_alive["type"] == "CONN_KEEP_ALIVE_SUCCESS"
        await client.close()


async def test_backlogs_asked_for_together_share_one_read_and_each_gets_its_own(monkeypatch):
    alice, bob, loner = await db(make_user)(), await db(make_user)(), await db(make_user)()
    group = await db(make_group)(alice, bob, name="pair")
    sent, _ = await db(message_send)(alice, conversation_id=group.pk, body="for bob")
    reads = []
    original = backlog_batches.sign_in_backlogs

    def recorded(user_ids):
        reads.append(sorted(user_ids))
        return original(user_ids)

    monkeypatch.setattr(backlog_batches, "sign_in_backlogs", recorded)
    asked = [backlog_batches.backlog_requested(user.pk) for user in (alice, bob, loner)]
    (alice_groups, alice_messages), (bob_groups, bob_messages), nothing = await asyncio.gather(*asked)
    assert reads == [sorted([alice.pk, bob.pk, loner.pk])]
    assert [g["id"] for g in alice_groups] == [g["id"] for g in bob_groups] == [group.pk]
    assert alice_messages == []
    assert [(m["id"], m["body"]) for m in bob_messages] == [(sent.pk, "for bob")]
    assert nothing == ([], [])


async def test_sign_ins_under_way_together_each_get_their_own_groups_and_messages():
    users = [await make_phone_user("44", f"74009002{n:02d}") for n in range(4)]
    (first, _), (second, _) = users[0], users[1]
    group = await db(make_group)(first, second, name="pair")
    sent, _ = await db(message_send)(first, conversation_id=group.pk, body="for the second")
    clients = await asyncio.gather(*(hooligram_connected(user, code) for user, code in users))
    for client in clients[:2]:
        delivered = await client.receive()
        assert (delivered["type"], delivered["payload"]["group_id"]) == ("GROUP_DELIVER_REQUEST", group.pk)
    message = await clients[1].receive()
    assert message["type"] == "MESSAGING_DELIVER_REQUEST"
    assert (message["payload"]["message_id"], message["payload"]["content"]) == (sent.pk, "for the second")
    for client in clients:
        await client.nothing()
        await client.close()
