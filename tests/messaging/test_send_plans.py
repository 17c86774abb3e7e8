"""A batch of sends stamps its conversations found by key, whatever the number of conversations:
the statement (prepared, with a plan made for any batch) once read the whole conversation table
twice a batch, which took most of PostgreSQL's time for a send on a deployment with tens of
thousands of conversations."""

import orjson
import pytest
from django.db import connection
from django.utils import timezone

from chats.models import Conversation
from messaging.models import Message
from messaging.send_sql import _insert_many_sql, _row, messages_insert
from tests.helpers import generic_plan_steps_buffers, make_group, make_user

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


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
    # Each step by key: under 20 buffers. Reading the 5,000 conversations takes about seventy.
    assert max(generic_plan_steps_buffers(_insert_many_sql(), [rows, stamp, stamp, stamp])) < 20
    assert list(Message.objects.filter(conversation=group).values_list("body", flat=True).order_by("id")) == [
        "first",
        "second",
    ]
