"""Replies and forwards: a reply names a message of its conversation that its sender sees, judged for
a whole batch of sends in one query; a forward names any message, unchecked."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.blocking import users_block
from config.errors import Invalid
from messaging.editing import message_delete
from messaging.models import Message
from messaging.sending import REPLIED_INCORRECT, SendRequest, message_send, messages_send
from messaging.snapshots import message_snapshot
from tests.helpers import make_group, make_user

pytestmark = pytest.mark.django_db


def test_a_reply_and_a_forward_are_stored_and_in_the_snapshot():
    alice, bob = make_user(), make_user()
    group, elsewhere = make_group(alice, bob), make_group(bob)
    first, _ = message_send(bob, conversation_id=group.pk, body="first")
    far, _ = message_send(bob, conversation_id=elsewhere.pk, body="far away")
    reply, _ = message_send(
        alice, conversation_id=group.pk, body="re", replied_message_id=str(first.pk), forwarded_message_id=far.pk
    )
    stored = Message.objects.get(pk=reply.pk)
    assert (stored.replied_message_id, stored.forwarded_message_id) == (first.pk, far.pk)
    snapshot = message_snapshot(stored, alice, group.type)
    assert (snapshot["replied_message_id"], snapshot["forwarded_message_id"]) == (first.pk, far.pk)
    plain, _ = message_send(alice, conversation_id=group.pk, body="plain")
    assert Message.objects.filter(pk=plain.pk, replied_message=None, forwarded_message_id=None).exists()


def test_a_forward_is_not_checked_but_must_be_an_id():
    alice = make_user()
    group = make_group(alice)
    sent, _ = message_send(alice, conversation_id=group.pk, body="fw", forwarded_message_id=987654321)
    assert sent.forwarded_message_id == 987654321
    for bad in ("abc", -1, True, {"id": 1}):
        with pytest.raises(Invalid):
            message_send(alice, conversation_id=group.pk, body="fw", forwarded_message_id=bad)


def test_a_reply_to_a_message_the_sender_does_not_see_there_is_refused():
    alice, bob, carol = make_user(), make_user(), make_user()
    group, other = make_group(alice, bob, carol), make_group(bob, carol)
    elsewhere, _ = message_send(bob, conversation_id=other.pk, body="not in this group")
    deleted, _ = message_send(bob, conversation_id=group.pk, body="deleted")
    message_delete(bob, conversation_id=group.pk, message_ids=[deleted.pk], everyone=True)
    hidden, _ = message_send(bob, conversation_id=group.pk, body="hidden for alice")
    message_delete(alice, conversation_id=group.pk, message_ids=[hidden.pk], everyone=False)
    for replied in (elsewhere.pk, deleted.pk, hidden.pk, 10**12, "abc", 0, 1.5, "²", "١٢", str(2**64)):
        with pytest.raises(Invalid) as refused:
            message_send(alice, conversation_id=group.pk, body="re", replied_message_id=replied)
        assert refused.value.message == REPLIED_INCORRECT
    # carol still sees the one alice hid for herself
    reply, _ = message_send(carol, conversation_id=group.pk, body="re", replied_message_id=hidden.pk)
    assert reply.replied_message_id == hidden.pk


def test_a_reply_to_a_blocked_senders_message_is_refused_to_the_blocker():
    alice, bob, carol = make_user(), make_user(), make_user()
    group = make_group(alice, bob, carol)
    users_block(alice, user_ids=[bob.pk])
    unseen, _ = message_send(bob, conversation_id=group.pk, body="alice never sees this")
    with pytest.raises(Invalid):
        message_send(alice, conversation_id=group.pk, body="re", replied_message_id=unseen.pk)


def test_each_send_of_a_batch_is_judged_on_its_reply():
    alice, bob = make_user(), make_user()
    group, other = make_group(alice, bob), make_group(bob)
    first, _ = message_send(bob, conversation_id=group.pk, body="first")
    elsewhere, _ = message_send(bob, conversation_id=other.pk, body="elsewhere")
    answers = messages_send(
        [
            SendRequest(actor=alice, conversation_id=group.pk, body="ok", replied_message_id=first.pk),
            SendRequest(actor=alice, conversation_id=group.pk, body="no", replied_message_id=elsewhere.pk),
            SendRequest(actor=bob, conversation_id=group.pk, body="ok too", replied_message_id=first.pk),
            SendRequest(actor=bob, conversation_id=other.pk, body="plain"),
        ]
    )
    assert isinstance(answers[1], Invalid) and answers[1].message == REPLIED_INCORRECT
    assert [a[0].body for a in (answers[0], answers[2], answers[3])] == ["ok", "ok too", "plain"]
    assert Message.objects.filter(body="no").count() == 0


def _queries_of_a_batch(count: int, *, replies: bool) -> int:
    users = [make_user() for _ in range(count)]
    groups = [make_group(u, make_user()) for u in users]
    firsts = [message_send(u, conversation_id=g.pk, body="first")[0] for u, g in zip(users, groups, strict=True)]
    batch = [
        SendRequest(actor=u, conversation_id=g.pk, body="re", replied_message_id=f.pk if replies else None)
        for u, g, f in zip(users, groups, firsts, strict=True)
    ]
    with CaptureQueriesContext(connection) as captured:
        answers = messages_send(batch)
    assert all(not isinstance(a, Exception) for a in answers), answers
    return len(captured)


@pytest.mark.django_db(transaction=True)  # as a connection sends: in no caller's transaction
def test_replies_cost_one_query_for_the_batch_whatever_its_size():
    for size in (1, 6):
        assert _queries_of_a_batch(size, replies=True) == _queries_of_a_batch(size, replies=False) + 1
    if connection.vendor == "postgresql":  # the batch's read, the reply check, the insert
        assert _queries_of_a_batch(2, replies=True) == _queries_of_a_batch(6, replies=True) == 3


def test_deleting_the_replied_message_leaves_the_reply_without_it():
    alice = make_user()
    group = make_group(alice)
    first, _ = message_send(alice, conversation_id=group.pk, body="first")
    reply, _ = message_send(alice, conversation_id=group.pk, body="re", replied_message_id=first.pk)
    first.delete()
    reply.refresh_from_db()
    assert reply.replied_message_id is None
