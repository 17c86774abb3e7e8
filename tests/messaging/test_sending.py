import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chats.models import Conversation, Participant
from config.errors import Forbidden, Invalid, NotFound
from messaging.models import Message
from messaging.sending import SendRequest, message_send, messages_send
from tests.helpers import make_group, make_private, make_user

pytestmark = pytest.mark.django_db


def _queries_to_send_in_group_of(size: int) -> int:
    sender = make_user()
    others = [make_user() for _ in range(size - 1)]
    conversation = make_group(sender, *others)
    with CaptureQueriesContext(connection) as captured:
        message_send(sender, conversation_id=conversation.pk, body="hello", client_id="c1")
    return len(captured)


@pytest.mark.django_db(transaction=True)  # as a connection sends: in no caller's transaction
def test_send_costs_the_same_queries_for_2_and_50_recipients():
    # The participants, then the INSERT and the conversation's timestamp: one statement on
    # PostgreSQL (which commits on its own), on SQLite two in a transaction.
    expected = 2 if connection.vendor == "postgresql" else 5
    assert _queries_to_send_in_group_of(2) == _queries_to_send_in_group_of(50) == expected


@pytest.mark.django_db(transaction=True)
def test_a_batch_of_sends_to_many_conversations_costs_the_queries_of_one_send_on_postgresql():
    senders = [make_user() for _ in range(6)]
    conversations = [make_group(sender, make_user(), make_user()) for sender in senders]
    batch = [
        SendRequest(actor=sender, conversation_id=conversation.pk, body=f"to {conversation.pk}", client_id="b")
        for sender, conversation in zip(senders, conversations, strict=True)
    ]
    with CaptureQueriesContext(connection) as captured:
        answers = messages_send(batch)
    assert [(m.conversation_id, m.body, created) for m, created in answers] == [
        (c.pk, f"to {c.pk}", True) for c in conversations
    ]
    assert len({m.pk for m, _ in answers}) == 6
    if connection.vendor == "postgresql":
        assert len(captured) == 2
    for conversation in conversations:
        conversation.refresh_from_db()
        assert conversation.updated_at == answers[0][0].created_at


def test_each_send_of_a_batch_is_answered_on_its_own_in_order():
    alice, bob, stranger = make_user(), make_user(), make_user()
    conversation = make_group(alice, bob)
    earlier, _ = message_send(alice, conversation_id=conversation.pk, body="earlier", client_id="old")

    def ask(actor, body, client_id=None):
        return SendRequest(actor=actor, conversation_id=conversation.pk, body=body, client_id=client_id)

    answers = messages_send(
        [
            ask(alice, "first", "c1"),
            ask(stranger, "not a member"),
            ask(bob, "   "),
            ask(alice, "first again", "c1"),  # the same client id later in the same batch
            ask(alice, "resent", "old"),  # a client id stored before the batch
            ask(bob, "last"),
        ]
    )
    first, refused, empty, again, resent, last = answers
    assert first[1] is True and first[0].body == "first"
    assert isinstance(refused, NotFound) and refused.code == "conversation_not_found"
    assert isinstance(empty, Invalid) and empty.code == "empty_message"
    assert (again[0].pk, again[1]) == (first[0].pk, False)
    assert (resent[0].pk, resent[1]) == (earlier.pk, False)
    assert last[1] is True and last[0].pk > first[0].pk
    stored = list(Message.objects.filter(conversation=conversation).order_by("id").values_list("body", flat=True))
    assert stored == ["earlier", "first", "last"]


def test_resending_the_same_client_id_answers_the_stored_message():
    sender, other = make_user(), make_user()
    conversation = make_private(sender, other)
    first, created = message_send(sender, conversation_id=conversation.pk, body="once", client_id="same")
    again, created_again = message_send(sender, conversation_id=conversation.pk, body="once", client_id="same")
    assert created and not created_again and first.pk == again.pk
    assert Message.objects.filter(conversation=conversation).count() == 1


def test_only_participants_send_and_empty_messages_are_refused():
    sender, other, stranger = make_user(), make_user(), make_user()
    conversation = make_private(sender, other)
    with pytest.raises(NotFound):
        message_send(stranger, conversation_id=conversation.pk, body="hi")
    with pytest.raises(Invalid):
        message_send(sender, conversation_id=conversation.pk, body="   ")


def test_a_refused_send_stores_nothing_and_leaves_the_conversation_as_it_was():
    sender, other, stranger = make_user(), make_user(), make_user()
    conversation = make_group(sender, other)
    Participant.objects.filter(conversation=conversation, user=other).update(is_blocked=True)
    stamped = Conversation.objects.get(pk=conversation.pk).updated_at
    with pytest.raises(NotFound):
        message_send(stranger, conversation_id=conversation.pk, body="hi", client_id="s1")
    with pytest.raises(Forbidden):
        message_send(other, conversation_id=conversation.pk, body="hi", client_id="o1")
    with pytest.raises(NotFound):
        message_send(sender, conversation_id=999_999_999, body="nowhere", client_id="n1")
    assert not Message.objects.filter(client_id__in=["s1", "o1", "n1"]).exists()
    assert Conversation.objects.get(pk=conversation.pk).updated_at == stamped


def test_a_sent_message_reads_back_as_stored():
    sender, other = make_user(), make_user()
    conversation = make_group(sender, other)
    sent, _ = message_send(
        sender,
        conversation_id=conversation.pk,
        body="héllo",
        x={"k": [1, "two"]},
        attachments=[{"file_id": "f1", "file_name": "a.png"}],
        client_id="rt",
    )
    stored = Message.objects.get(pk=sent.pk)
    assert (stored.body, stored.x, stored.attachments, stored.client_id) == (
        "héllo",
        {"k": [1, "two"]},
        [{"file_id": "f1", "file_name": "a.png"}],
        "rt",
    )
    assert stored.sender_id == sender.pk and not stored.is_system and stored.is_visible
    assert stored.created_at == sent.created_at and stored.updated_at == sent.created_at
    conversation.refresh_from_db()
    assert conversation.updated_at == sent.created_at


def test_a_batch_stores_every_column_as_sent_whatever_its_characters():
    sender, other = make_user(), make_user()
    conversation = make_group(sender, other)
    replied, _ = message_send(sender, conversation_id=conversation.pk, body="first")
    bodies = ['say "hi" \\ {a,b} [x]\n\ttab', "emoji 😀 and ünïcode", "NULL", ""]
    extras = [{"k": [1, 2.5, None, True]}, {"ключ": {"deep": [{"x": "y"}]}}, {}, {"only": "x"}]
    answers = messages_send(
        [
            SendRequest(
                actor=sender,
                conversation_id=conversation.pk,
                body=body,
                x=x,
                attachments=[{"file_id": f"f{i}", "file_name": f"{i}.png"}] if i % 2 else None,
                client_id=f"c{i}",
                replied_message_id=replied.pk if i == 1 else None,
                forwarded_message_id=replied.pk if i == 2 else None,
                is_visible=i != 3,
            )
            for i, (body, x) in enumerate(zip(bodies, extras, strict=True))
        ]
    )
    ids = [message.pk for message, created in answers if created]
    assert len(ids) == 4 and ids == sorted(ids)
    stored = Message.objects.filter(pk__in=ids).order_by("id")
    assert [
        (m.body, m.x, m.attachments, m.client_id, m.replied_message_id, m.forwarded_message_id, m.is_visible)
        for m in stored
    ] == [
        (bodies[0], extras[0], [], "c0", None, None, True),
        (bodies[1], extras[1], [{"file_id": "f1", "file_name": "1.png"}], "c1", replied.pk, None, True),
        (bodies[2], extras[2], [], "c2", None, replied.pk, True),
        (bodies[3], extras[3], [{"file_id": "f3", "file_name": "3.png"}], "c3", None, None, False),
    ]
