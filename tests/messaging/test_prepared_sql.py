"""On PostgreSQL the hot paths' statements are prepared once per connection, not parsed and planned
per message (Django turns psycopg's prepared statements off unless the settings enable them)."""

import pytest
from django.db import connection

from messaging.backlog import sign_in_backlogs
from messaging.receipts import receipts_record
from messaging.sending import SendRequest, message_send, messages_send
from tests.helpers import make_group, make_user

# As a connection sends: in no caller's transaction. Left out of CI's SQLite run.
pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [statement for (statement,) in cursor.fetchall()]


def test_sends_receipt_batches_of_any_size_and_sign_in_backlogs_reuse_one_prepared_statement_each():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (run with DATABASE_URL)")
    sender, others = make_user(), [make_user() for _ in range(3)]
    conversation = make_group(sender, *others)
    sent = [message_send(sender, conversation_id=conversation.pk, body="alone")[0]]
    batch = [SendRequest(actor=sender, conversation_id=conversation.pk, body=f"batch {i}") for i in range(2)]
    sent += [message for message, _ in messages_send(batch)]
    assert receipts_record([(others[0].pk, sent[0].pk)]) == [True]
    assert receipts_record([(u.pk, m.pk) for u in others for m in sent[1:]]) == [True] * 6
    for user in others[:2]:
        groups, undelivered = sign_in_backlogs([user.pk])[user.pk]
        assert (len(groups), len(undelivered)) == (1, 0 if user == others[0] else 1)  # sent[0] unacknowledged
    assert len(sign_in_backlogs([u.pk for u in others])) == 3  # any number of users: the same statement

    prepared = _prepared()
    assert len([s for s in prepared if "INSERT INTO messaging_message" in s]) == 1
    assert len([s for s in prepared if "FROM asks JOIN chats_participant p" in s]) == 1
    assert len([s for s in prepared if "INSERT INTO messaging_deliveryreceipt" in s]) == 1
    assert len([s for s in prepared if "NOT EXISTS (SELECT 1 FROM messaging_deliveryreceipt" in s]) == 1
