"""The `captured_events` fixture: what services publish, what the hub delivers, and waiting for it."""

import asyncio

import pytest

from events.delivery import send_to_addresses
from events.kinds import LastActivity, MessageCreated, Typing
from messaging.sending import message_send
from tests.helpers import db, make_group, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def test_published_and_delivered_events_are_recorded_in_order(captured_events):
    alice, bob = await db(make_user)(), await db(make_user)()
    b = await sama_connected(bob)
    group = await db(make_group)(alice, bob)
    message, _ = await db(message_send)(alice, conversation_id=group.pk, body="hi")
    kinds = ["user_created", "user_created", "conversation_created", "message_created"]
    assert [e.kind for e in captured_events.published] == kinds
    delivered = await captured_events.next(MessageCreated.kind)
    assert delivered.message["id"] == message.pk and delivered.recipients == ()  # rebuilt from the channel
    assert (await b.receive())["system_message"]["x"]["conversation_created"]["_id"] == str(group.pk)
    assert (await b.receive())["message"]["body"] == "hi"  # sent before `next` answered
    await b.close()


async def test_next_waits_for_a_matching_event_and_answers_each_once(captured_events):
    later = asyncio.ensure_future(captured_events.next(Typing.kind, user_id=2))
    await send_to_addresses(["nobody"], Typing(recipients=(), conversation_id=1, user_id=1))
    await send_to_addresses(["nobody"], Typing(recipients=(), conversation_id=1, user_id=2))
    assert (await later).user_id == 2
    assert (await captured_events.next(Typing.kind)).user_id == 1
    with pytest.raises(AssertionError, match=r"a typing event \{\} was not delivered within 0.1s"):
        await captured_events.next(Typing.kind, timeout=0.1)


async def test_flush_waits_for_what_was_sent_before_and_records_no_marker(captured_events):
    event = LastActivity(recipients=(), user_id=7, last_seen_at=3)
    await send_to_addresses(["activity.7"], event)
    await captured_events.flush()
    assert captured_events.delivered == [event]
    assert captured_events.published == []
