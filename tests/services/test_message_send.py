import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chats.models import Conversation, Participant
from chats.services import conversation_create
from config.errors import Forbidden, Invalid, NotFound
from messaging.models import Message
from messaging.services import message_send
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def _queries_to_send_in_group_of(size: int) -> int:
    sender = make_user()
    others = [make_user() for _ in range(size - 1)]
    conversation, _ = conversation_create(sender, type="g", name="G", participant_ids=[u.pk for u in others])
    with CaptureQueriesContext(connection) as captured:
        message_send(sender, conversation_id=conversation.pk, body="hello", client_id="c1")
    return len(captured)


@pytest.mark.django_db(transaction=True)  # as a connection sends: in no caller's transaction
def test_send_costs_the_same_queries_for_2_and_50_recipients():
    # The participants, then the INSERT and the conversation's timestamp: one statement on
    # PostgreSQL (which commits on its own), on SQLite two in a transaction.
    expected = 2 if connection.vendor == "postgresql" else 5
    assert _queries_to_send_in_group_of(2) == _queries_to_send_in_group_of(50) == expected


def test_resending_the_same_client_id_answers_the_stored_message():
    sender, other = make_user(), make_user()
    conversation, _ = conversation_create(sender, type="u", participant_ids=[other.pk])
    first, created = message_send(sender, conversation_id=conversation.pk, body="once", client_id="same")
    again, created_again = message_send(sender, conversation_id=conversation.pk, body="once", client_id="same")
    assert created and not created_again and first.pk == again.pk
    assert Message.objects.filter(conversation=conversation).count() == 1


def test_only_participants_send_and_empty_messages_are_refused():
    sender, other, stranger = make_user(), make_user(), make_user()
    conversation, _ = conversation_create(sender, type="u", participant_ids=[other.pk])
    with pytest.raises(NotFound):
        message_send(stranger, conversation_id=conversation.pk, body="hi")
    with pytest.raises(Invalid):
        message_send(sender, conversation_id=conversation.pk, body="   ")


def test_a_refused_send_stores_nothing_and_leaves_the_conversation_as_it_was():
    sender, other, stranger = make_user(), make_user(), make_user()
    conversation, _ = conversation_create(sender, type="g", name="G", participant_ids=[other.pk])
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
    conversation, _ = conversation_create(sender, type="g", name="G", participant_ids=[other.pk])
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
