"""messaging.backlog and messaging.receipts: what a user has not acknowledged, read in one query
whatever its size, for one user or many."""

import pytest
from django.db import connection

from chats.membership import conversation_leave
from chats.snapshots import conversation_snapshot
from config.errors import NotFound
from messaging.backlog import sign_in_backlogs
from messaging.editing import message_delete
from messaging.models import DeliveryReceipt, Message
from messaging.receipts import receipt_record
from messaging.sending import message_send
from messaging.snapshots import message_snapshot
from tests.helpers import make_group, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _undelivered(user) -> list[Message]:
    return sign_in_backlogs([user.pk])[user.pk][1]


def _world(groups: int, messages: int):
    alice, bob, carol = make_user(), make_user(), make_user()
    sent = []
    for g in range(groups):
        conversation = make_group(alice, bob, carol, name=f"G{g}")
        for n in range(messages):
            sent.append(message_send(alice, conversation_id=conversation.pk, body=f"{g}/{n}")[0])
    return alice, bob, carol, sent


@pytest.mark.parametrize(("groups", "messages"), [(1, 2), (4, 6)])
def test_undelivered_messages_and_groups_in_one_query(django_assert_num_queries, groups, messages):
    _alice, bob, _carol, sent = _world(groups, messages)
    with django_assert_num_queries(1):
        snapshots, undelivered = sign_in_backlogs([bob.pk])[bob.pk]
        senders = {m.sender.sid for m in undelivered}  # the sender comes with the same query
    assert [m.pk for m in undelivered] == [m.pk for m in sent]
    assert len(senders) == 1
    assert [s["id"] for s in snapshots] == sorted({m.conversation_id for m in sent})
    assert all(len(s["participants"]) == 3 for s in snapshots)


def test_the_backlogs_of_several_users_each_hold_their_own(django_assert_num_queries):
    alice, bob, carol, sent = _world(2, 2)
    dave, loner = make_user(), make_user()
    duo = make_group(alice, dave, name="duo")
    for_dave, _ = message_send(alice, conversation_id=duo.pk, body="for dave")
    receipt_record(carol, message_id=sent[0].pk)
    users = [loner, dave, carol, bob, alice]
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else len(users)):
        backlogs = sign_in_backlogs([u.pk for u in users] + [bob.pk])  # a user asked twice: once
    assert sorted(backlogs) == sorted(u.pk for u in users)
    assert backlogs[loner.pk] == ([], [])
    group_ids = sorted({m.conversation_id for m in sent})
    for user, groups, messages in [
        (dave, [duo.pk], [for_dave.pk]),
        (carol, group_ids, [m.pk for m in sent[1:]]),
        (bob, group_ids, [m.pk for m in sent]),
        (alice, [*group_ids, duo.pk], []),
    ]:
        assert [g["id"] for g in backlogs[user.pk][0]] == groups
        assert [m.pk for m in backlogs[user.pk][1]] == messages
        assert backlogs[user.pk] == sign_in_backlogs([user.pk])[user.pk]


def test_the_backlog_reads_messages_and_conversations_as_the_orm_does():
    alice, bob, carol, sent = _world(2, 1)
    with_data, _ = message_send(alice, conversation_id=sent[0].conversation_id, body="b", x={"k": [1, "é"]})
    ids = [m.pk for m in [*sent, with_data]]
    expected = [message_snapshot(m, m.sender, "") for m in Message.objects.filter(pk__in=ids).select_related("sender")]
    snapshots, undelivered = sign_in_backlogs([bob.pk])[bob.pk]
    assert [message_snapshot(m, m.sender, "") for m in undelivered] == sorted(expected, key=lambda s: s["id"])
    members = sorted([alice, bob, carol], key=lambda u: u.pk)
    conversations = sorted({m.conversation for m in sent}, key=lambda c: c.pk)
    assert snapshots == [conversation_snapshot(c, members) for c in conversations]


def test_acknowledged_own_deleted_and_earlier_messages_are_not_delivered_again(settings):
    alice, bob, carol, sent = _world(1, 4)
    receipt_record(bob, message_id=sent[0].pk)
    receipt_record(bob, message_id=sent[0].pk)  # idempotent
    assert DeliveryReceipt.objects.filter(user=bob).count() == 1
    message_delete(alice, conversation_id=sent[1].conversation_id, message_ids=[sent[1].pk], everyone=True)
    mine, _ = message_send(bob, conversation_id=sent[0].conversation_id, body="mine")
    assert [m.pk for m in _undelivered(bob)] == [sent[2].pk, sent[3].pk]
    assert mine.pk in [m.pk for m in _undelivered(carol)]
    settings.HOOLIGRAM_REDELIVERY_LIMIT = 1
    assert [m.pk for m in _undelivered(bob)] == [sent[2].pk]
    # a user who left gets nothing of that conversation any more, and cannot acknowledge it
    conversation_leave(carol, conversation_id=sent[0].conversation_id)
    assert _undelivered(carol) == []
    with pytest.raises(NotFound):
        receipt_record(carol, message_id=sent[2].pk)
