"""A batch of sends stamps its conversations found by key, whatever the number of conversations:
the statement (prepared, with a plan made for any batch) once read the whole conversation table
twice a batch, which took most of PostgreSQL's time for a send on a deployment with tens of
thousands of conversations."""

import orjson
import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from chats.models import Conversation, Participant
from config.prepared_sql import id_pairs, id_rows
from messaging.access import _visible_in_conversations_sql, visible_in_conversations
from messaging.models import Message
from messaging.receipts import _record_sql, receipts_record
from messaging.send_sql import _insert_many_sql, _participants_sql, _row, messages_insert, recipients_read
from tests.helpers import generic_plan_steps_buffers, make_group, make_user

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

# A step by index touches a few buffers (up to about fifteen here); reading a table of thousands
# of rows, dozens: 5,000 users, conversations or participants fill fifty pages and more, 20,000
# messages over two hundred.
BY_INDEX = 25


def test_a_send_batch_finds_its_conversations_by_key_among_many():
    if connection.vendor != "postgresql":
        pytest.skip("the planner in question is PostgreSQL's (run with DATABASE_URL)")
    sender, reader = make_user(), make_user()
    group = make_group(sender, reader)
    Conversation.objects.bulk_create(Conversation(owner=sender) for _ in range(5_000))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE chats_conversation")
    before = Conversation.objects.get(pk=group.pk).updated_at
    assert messages_insert([Message(conversation=group, sender=sender, body="first")]) == [True]
    assert Conversation.objects.get(pk=group.pk).updated_at > before
    stamp = connection.ops.adapt_datetimefield_value(timezone.now()).isoformat()
    rows = orjson.dumps([_row(Message(conversation=group, sender=sender, body="second")) | {"position": 0}]).decode()
    # Each step by key. Reading the 5,000 conversations takes about seventy buffers.
    assert max(generic_plan_steps_buffers(_insert_many_sql(), [rows, stamp, stamp, stamp])) < BY_INDEX
    assert list(Message.objects.filter(conversation=group).values_list("body", flat=True).order_by("id")) == [
        "first",
        "second",
    ]


@pytest.fixture
def busy_deployment():
    """5,000 users in 1,250 groups of four with 20,000 messages, among 5,000 conversations, their
    statistics taken; answers a group's members and one of its messages."""
    if connection.vendor != "postgresql":
        pytest.skip("the planner in question is PostgreSQL's (run with DATABASE_URL)")
    users = User.objects.bulk_create(User(username=f"member{n}", password="!") for n in range(5_000))
    groups = Conversation.objects.bulk_create(Conversation(owner=users[n * 4]) for n in range(1_250))
    Participant.objects.bulk_create(Participant(conversation=groups[n // 4], user=users[n]) for n in range(5_000))
    Conversation.objects.bulk_create(Conversation(owner=users[0]) for _ in range(3_750))
    messages = Message.objects.bulk_create(
        (Message(conversation=groups[n % 1_250], sender=users[(n % 1_250) * 4], body="m") for n in range(20_000)),
        batch_size=5_000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user, chats_conversation, chats_participant, messaging_message")
    return users[4:8], messages[1]


def test_a_send_batch_reads_its_recipients_by_index(busy_deployment):
    members, message = busy_deployment
    ask = (message.conversation_id, members[0].pk)
    assert sorted(r.user_id for r in recipients_read([ask])[ask]) == sorted(m.pk for m in members)
    sql = f"WITH {id_pairs('asks', ('conversation_id', 'actor_id'), [ask])[0]} {_participants_sql()}"
    # The group's four members by the conversation's index, each with what their receiving depends on.
    assert max(generic_plan_steps_buffers(sql, [f"{{{ask[0]}}}", f"{{{ask[1]}}}"])) < BY_INDEX


def test_a_receipt_batch_judges_its_messages_by_index(busy_deployment):
    (_, *readers), message = busy_deployment
    pairs = [(reader.pk, message.pk) for reader in readers]
    assert receipts_record(pairs) == [True, True, True]
    sql = _record_sql(id_pairs("pairs", ("user_id", "message_id"), pairs)[0])
    users, messages = "{" + ",".join(str(r.pk) for r in readers) + "}", "{" + ",".join([str(message.pk)] * 3) + "}"
    stamp = connection.ops.adapt_datetimefield_value(timezone.now()).isoformat()
    assert max(generic_plan_steps_buffers(sql, [users, messages, stamp])) < BY_INDEX


def test_messages_asked_about_in_a_batch_are_judged_by_index(busy_deployment):
    (_, reader, *_), message = busy_deployment
    asks = [(reader.pk, message.conversation_id, message.pk)]
    assert visible_in_conversations(asks) == set(asks)
    cte, _ = id_rows("asks", ("user_id", "conversation_id", "message_id"), asks)
    sql = f"WITH {cte} {_visible_in_conversations_sql()}"
    params = [f"{{{reader.pk}}}", f"{{{message.conversation_id}}}", f"{{{message.pk}}}"]
    assert max(generic_plan_steps_buffers(sql, params)) < BY_INDEX
