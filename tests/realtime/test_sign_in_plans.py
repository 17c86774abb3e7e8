"""A Hooligram sign-in's statements read only what they need as the server runs them (prepared,
with a plan made for any parameters), whatever the age of PostgreSQL's planner statistics: its
backlog with statistics taken while the tables were empty and thousands of messages written
since (a fresh deployment's first burst, or a burst faster than autovacuum)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import PhoneVerification, User
from accounts.phone_owners import phone_owner_sql
from chats.models import Conversation, Participant
from messaging.backlog import _backlogs_sql, sign_in_backlogs
from messaging.models import Message
from tests.helpers import generic_plan_buffers, make_group, make_user

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

STATISTICS_TABLES = ("messaging_message", "chats_participant", "messaging_deliveryreceipt", "messaging_hiddenmessage")


def test_the_phone_owner_and_newest_code_are_found_by_index_among_many():
    if connection.vendor != "postgresql":
        pytest.skip("the planner in question is PostgreSQL's (run with DATABASE_URL)")
    User.objects.bulk_create(
        User(username=f"phone{n}", password="!", country_code="65", phone_number=f"9{n:07d}", phone_e164=f"+659{n:07d}")
        for n in range(5_000)
    )
    expires = timezone.now() + timedelta(minutes=10)
    PhoneVerification.objects.bulk_create(
        PhoneVerification(country_code="65", phone_number=f"9{n % 5_000:07d}", code_hash="x", expires_at=expires)
        for n in range(15_000)  # three codes a phone
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user, accounts_phoneverification")
    # By the unique index on the digits (or the E.164 index) and the phone's codes by date: about a
    # dozen buffers; reading every user, as the plan for any parameters did without the
    # index's condition: about seventy, and every code a few hundred.
    assert generic_plan_buffers(phone_owner_sql(by_e164=False), ["65", "90004790"]) < 20
    assert generic_plan_buffers(phone_owner_sql(by_e164=True), ["+6590004790"]) < 20


@pytest.fixture
def after_a_burst():
    """A reader with one unread message in a group of two, on statistics taken while the tables
    were empty, then a burst: 5,000 users in groups of four, 60,000 messages."""
    if connection.vendor != "postgresql":
        pytest.skip("the planner in question is PostgreSQL's (run with DATABASE_URL)")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(STATISTICS_TABLES)}")  # the tables are empty now
    reader, friend = make_user(), make_user()
    group = make_group(friend, reader)
    unread = Message.objects.create(conversation=group, sender=friend, body="for the reader")
    strangers = User.objects.bulk_create(User(username=f"stranger{n}", password="!") for n in range(5_000))
    groups = Conversation.objects.bulk_create(Conversation(owner=strangers[n * 4]) for n in range(1_250))
    Participant.objects.bulk_create(Participant(conversation=groups[n // 4], user=strangers[n]) for n in range(5_000))
    Message.objects.bulk_create(
        (Message(conversation=groups[n % 1_250], sender=strangers[n % 5_000], body="m") for n in range(60_000)),
        batch_size=5_000,
    )
    return reader, group, unread


def test_the_backlog_reads_only_the_users_conversations_on_statistics_of_empty_tables(after_a_burst):
    reader, group, unread = after_a_burst
    groups, messages = sign_in_backlogs([reader.pk])[reader.pk]
    assert [(g["id"], len(g["participants"])) for g in groups] == [(group.pk, 2)]
    assert [m.pk for m in messages] == [unread.pk]
    params = [f"{{{reader.pk}}}", 500, 500]  # the users (an array), the cap twice
    # The reader's one conversation, its two members by their keys and its messages: about 30
    # buffers. The plans made on empty tables for one join each walked every message by id
    # (about 700 buffers here, 560,000 with 270,000 messages and 10,000 participants) and merged
    # every conversation by id (about 80 here, growing with the number of conversations).
    assert generic_plan_buffers(_backlogs_sql(), params) < 60


def test_the_backlog_reads_only_the_users_conversations_on_statistics_of_one_busy_conversation():
    """Statistics taken while one conversation held every message (a deployment's first busy chat)
    say nothing of how many messages any other holds: the plan still starts from the reader's
    conversations (messaging migration 0009 sets the estimate)."""
    if connection.vendor != "postgresql":
        pytest.skip("the planner in question is PostgreSQL's (run with DATABASE_URL)")
    reader, friend, talker, listener = make_user(), make_user(), make_user(), make_user()
    quiet = make_group(friend, reader)
    busy = make_group(talker, listener)
    Message.objects.bulk_create(Message(conversation=busy, sender=talker, body=f"m{n}") for n in range(20_000))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(STATISTICS_TABLES)}")
    unread = Message.objects.create(conversation=quiet, sender=friend, body="for the reader")
    groups, messages = sign_in_backlogs([reader.pk])[reader.pk]
    assert [g["id"] for g in groups] == [quiet.pk]
    assert [m.pk for m in messages] == [unread.pk]
    params = [f"{{{reader.pk}}}", 500, 500]  # the users (an array), the cap twice
    # The reader's conversation and its messages: about 30 buffers. Planned as if the reader's
    # conversation held every message, the backlog walked every message written since the reader
    # joined by the index on time (about 300 buffers).
    assert generic_plan_buffers(_backlogs_sql(), params) < 60
    # A batch of sign-ins reads each user's own rows by the indexes: twenty more users in no
    # conversation add a buffer or two each (about 55 in all).
    strangers = [make_user() for _ in range(20)]
    batch = ["{" + ",".join(str(u.pk) for u in [reader, *strangers]) + "}", 500, 500]
    assert generic_plan_buffers(_backlogs_sql(), batch) < 100


def test_statements_are_not_compiled_to_machine_code():
    """JIT would compile a statement planned on stale statistics at every execution (6 ms for the
    group list above, which runs in 0.2 ms)."""
    if connection.vendor != "postgresql":
        pytest.skip("JIT is PostgreSQL's (run with DATABASE_URL)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
