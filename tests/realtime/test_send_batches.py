"""Sends arriving together share one database write (group commit), and each gets its own answer."""

import asyncio

import pytest
from django.db import IntegrityError

from config.errors import NotFound
from events import channel
from messaging.models import Message
from messaging.sending import SendRequest
from realtime import send_batches
from tests.helpers import db, make_group, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)


def _group():
    alice, bob, carol, stranger = make_user(), make_user(), make_user(), make_user()
    conversation = make_group(alice, bob, carol)
    return alice, bob, carol, stranger, conversation.pk


def _counting_batches(monkeypatch, fail_when_more_than: int | None = None, error: Exception | None = None) -> list[int]:
    """Record the size of every batch written; optionally fail batches larger than a size, as a
    database error would (`error`, or an unexpected one)."""
    sizes: list[int] = []
    original = send_batches.messages_send

    def counting(requests):
        sizes.append(len(requests))
        if fail_when_more_than is not None and len(requests) > fail_when_more_than:
            raise error or RuntimeError("the database went away")
        return original(requests)

    monkeypatch.setattr(send_batches, "messages_send", counting)
    return sizes


async def test_sends_arriving_together_share_one_write_and_are_answered_each(monkeypatch):
    alice, bob, carol, stranger, cid = await db(_group)()
    sizes = _counting_batches(monkeypatch)
    watcher = await sama_connected(bob)
    published: list = []
    send_batch = channel.send_batch

    async def counting(items):
        published.append(items)
        await send_batch(items)

    monkeypatch.setattr(channel, "send_batch", counting)
    answers = await asyncio.gather(
        send_batches.send(SendRequest(actor=alice, conversation_id=cid, body="one", client_id="a1"), protocol="sama"),
        send_batches.send(SendRequest(actor=stranger, conversation_id=cid, body="not a member"), protocol="sama"),
        send_batches.send(SendRequest(actor=carol, conversation_id=cid, body="two", client_id="c1"), protocol="sama"),
        return_exceptions=True,
    )
    assert sizes == [3]
    assert [len(items) for items in published] == [2]  # both messages' events in one message
    (one, created_one), refused, (two, created_two) = answers
    assert created_one and created_two and one.pk < two.pk
    assert isinstance(refused, NotFound) and refused.code == "conversation_not_found"
    delivered = [(await watcher.receive())["message"] for _ in range(2)]
    assert [(m["_id"], m["body"]) for m in delivered] == [(str(one.pk), "one"), (str(two.pk), "two")]
    await watcher.nothing()
    await watcher.close()


async def test_a_batch_that_fails_is_sent_again_one_by_one(monkeypatch):
    alice, bob, _carol, _stranger, cid = await db(_group)()
    sizes = _counting_batches(monkeypatch, fail_when_more_than=1)
    answers = await asyncio.gather(
        *(
            send_batches.send(SendRequest(actor=user, conversation_id=cid, body=user.username), protocol="sama")
            for user in (alice, bob)
        )
    )
    assert sizes == [2, 1, 1]
    assert [created for _, created in answers] == [True, True]
    stored = await db(lambda: list(Message.objects.filter(conversation_id=cid).values_list("pk", "body")))()
    assert stored == [(answers[0][0].pk, alice.username), (answers[1][0].pk, bob.username)]


async def test_a_batch_that_broke_a_foreign_key_is_logged_in_one_line_and_an_unexpected_failure_with_its_traceback(
    monkeypatch, caplog
):
    """A conversation deleted between a batch's read and its write is a race, not a bug."""
    alice, bob, _carol, _stranger, cid = await db(_group)()
    race = IntegrityError('insert or update on table "messaging_message" violates foreign key constraint\nDETAIL: ...')
    for error, traceback in ((race, False), (None, True)):
        _counting_batches(monkeypatch, fail_when_more_than=1, error=error)
        caplog.clear()
        sends = (SendRequest(actor=user, conversation_id=cid, body=user.username) for user in (alice, bob))
        await asyncio.gather(*(send_batches.send(request, protocol="sama") for request in sends))
        [record] = [r for r in caplog.records if r.getMessage().startswith("a batch of 2 sends failed")]
        expected = "IntegrityError: insert or update" if error else "RuntimeError: the database went away"
        assert f"({expected}" in record.getMessage() and "DETAIL" not in record.getMessage()
        assert bool(record.exc_info) is traceback
        monkeypatch.undo()


async def test_sama_clients_sending_at_once_each_get_their_ack_and_every_message():
    alice, bob, carol, _stranger, cid = await db(_group)()
    clients = [await sama_connected(user) for user in (alice, bob, carol)]
    for n, client in enumerate(clients):
        await client.send({"message": {"id": f"m{n}", "body": f"from {n}", "cid": str(cid)}})
    for n, client in enumerate(clients):
        received = [await client.receive() for _ in range(3)]  # its ack and the two others' messages
        acks = [frame["ack"] for frame in received if "ack" in frame]
        assert [ack["mid"] for ack in acks] == [f"m{n}"]
        bodies = sorted(frame["message"]["body"] for frame in received if "message" in frame)
        assert bodies == sorted(f"from {k}" for k in range(3) if k != n)
        await client.nothing()
    for client in clients:
        await client.close()
