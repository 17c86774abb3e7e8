"""Which messages a user sees (messaging.access): those of their conversations, but not those
hidden from them or deleted for everyone; the ORM and the hand-written SQL agree on it."""

import pytest
from django.db import connection

from accounts.blocking import users_block
from chats.membership import conversation_leave
from config.errors import NotFound
from messaging.access import access_message, visible_messages, visible_messages_sql
from messaging.editing import message_delete
from messaging.models import HiddenMessage, Message
from messaging.sending import message_send
from tests.helpers import make_group, make_private, make_user

pytestmark = pytest.mark.django_db


def _send(sender, conversation, body="hi"):
    return message_send(sender, conversation_id=conversation.pk, body=body)[0]


def _ids(rows) -> set[int]:
    return set(rows.values_list("pk", flat=True))


@pytest.fixture
def world():
    """alice and bob in a group and a private chat, carol in a group of her own. In the group:
    a message alice hid for herself, and one bob deleted for everyone."""
    alice, bob, carol = make_user(), make_user(), make_user()
    group, private, elsewhere = make_group(alice, bob), make_private(alice, bob), make_group(carol)
    kept, hidden, deleted = _send(alice, group, "kept"), _send(bob, group, "hidden"), _send(bob, group, "deleted")
    said = _send(bob, private, "private")
    message_delete(alice, conversation_id=group.pk, message_ids=[hidden.pk], everyone=False)
    message_delete(bob, conversation_id=group.pk, message_ids=[deleted.pk], everyone=True)
    other = _send(carol, elsewhere, "not yours")
    return locals()


def test_a_user_sees_their_conversations_messages_but_hidden_deleted_and_others(world):
    w = world
    assert _ids(visible_messages(w["alice"])) == {w["kept"].pk, w["said"].pk}
    assert _ids(visible_messages(w["bob"].pk)) == {w["kept"].pk, w["hidden"].pk, w["said"].pk}
    assert _ids(visible_messages(w["carol"])) == {w["other"].pk}


def test_deleted_messages_are_included_only_on_request(world):
    w = world
    assert _ids(visible_messages(w["alice"], include_deleted=True)) == {w["kept"].pk, w["deleted"].pk, w["said"].pk}
    assert _ids(visible_messages(w["bob"], conversation_id=w["group"].pk, include_deleted=True)) == {
        w["kept"].pk,
        w["hidden"].pk,
        w["deleted"].pk,
    }


def test_one_conversations_visible_messages(world):
    w = world
    assert _ids(visible_messages(w["alice"], conversation_id=w["group"].pk)) == {w["kept"].pk}
    assert _ids(visible_messages(w["alice"], conversation_id=w["private"].pk)) == {w["said"].pk}
    assert _ids(visible_messages(w["alice"], conversation_id=w["elsewhere"].pk)) == set()
    assert _ids(visible_messages(w["carol"], conversation_id=w["group"].pk, include_deleted=True)) == set()


def test_access_message_answers_a_visible_message_with_sender_and_conversation(world, django_assert_num_queries):
    w = world
    with django_assert_num_queries(1):
        message = access_message(w["alice"], w["said"].pk)
        assert (message.sender.pk, message.conversation.pk) == (w["bob"].pk, w["private"].pk)
    assert access_message(w["bob"].pk, w["hidden"].pk, conversation_id=w["group"].pk) == w["hidden"]
    assert access_message(w["alice"], w["deleted"].pk, include_deleted=True) == w["deleted"]


def test_access_message_gives_the_same_not_found_for_absent_elsewhere_hidden_and_deleted(world):
    w = world
    absent = Message.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    refused = [
        (w["alice"], absent, None),
        (w["alice"], w["other"].pk, None),  # in a conversation alice is not in
        (w["alice"], w["hidden"].pk, None),  # hidden from alice
        (w["alice"], w["deleted"].pk, None),  # deleted for everyone
        (w["alice"], w["kept"].pk, w["private"].pk),  # visible, but not in that conversation
        (w["carol"], w["kept"].pk, w["group"].pk),
    ]
    for user, message_id, conversation_id in refused:
        with pytest.raises(NotFound) as error:
            access_message(user, message_id, conversation_id=conversation_id)
        assert (error.value.message, error.value.code) == ("Message not found", "message_not_found")


def _sql_visible_ids(user_id: int, message: str = "m", participation: str = "p") -> set[int]:
    join, condition = visible_messages_sql(message, participation)
    table = connection.ops.quote_name(Message._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {message}.id FROM {table} {message} {join} WHERE {condition}", [user_id, user_id])
        return {row[0] for row in cursor.fetchall()}


def test_the_sql_form_sees_exactly_what_the_orm_sees():
    """Several users and conversations; messages hidden (for oneself, from a blocked sender),
    deleted for everyone, in conversations left and never joined; system messages."""
    users = [make_user() for _ in range(5)]
    a, b, c, d, e = users
    groups = [make_group(a, b, c), make_group(b, c, d), make_group(d, e), make_group(a, e)]
    privates = [make_private(a, b), make_private(c, d), make_private(e, b)]
    sent = []
    for conversation in groups + privates:
        for sender_id in conversation.participants.order_by("user_id").values_list("user_id", flat=True):
            sender = next(u for u in users if u.pk == sender_id)
            sent += [_send(sender, conversation, f"{conversation.pk}.{sender_id}.{k}") for k in range(2)]
    assert len(sent) == 2 * (3 + 3 + 2 + 2 + 2 + 2 + 2)

    def mine(sender, conversation):
        return [m.pk for m in sent if m.sender_id == sender.pk and m.conversation_id == conversation.pk]

    message_delete(b, conversation_id=groups[0].pk, message_ids=mine(a, groups[0])[:1], everyone=False)
    message_delete(c, conversation_id=groups[1].pk, message_ids=mine(d, groups[1]), everyone=False)
    message_delete(a, conversation_id=groups[0].pk, message_ids=mine(a, groups[0])[1:], everyone=True)
    message_delete(e, conversation_id=privates[2].pk, message_ids=mine(e, privates[2])[:1], everyone=True)
    users_block(c, user_ids=[b.pk])
    from_blocked = _send(b, groups[1], "carol blocked me")  # hidden from carol only
    conversation_leave(d, conversation_id=groups[2].pk)  # d no longer sees that group
    assert HiddenMessage.objects.filter(user=c, message=from_blocked).exists()

    seen = {}
    for user in users:
        seen[user] = _ids(visible_messages(user))
        assert _sql_visible_ids(user.pk) == seen[user], user
        assert _sql_visible_ids(user.pk, "msg", "part") == seen[user], user
    # the data set exercises every rule: each user sees some messages and misses others
    assert all(0 < len(ids) < Message.objects.count() for ids in seen.values())
    assert mine(a, groups[0])[0] in seen[a] and mine(a, groups[0])[0] not in seen[b]  # hidden for b only
    assert not set(mine(a, groups[0])[1:]) & set().union(*seen.values())  # deleted for everyone
    assert from_blocked.pk in seen[b] and from_blocked.pk not in seen[c]
    assert not set(mine(d, groups[2])) & seen[d] and set(mine(d, groups[2])) <= seen[e]  # d left
    assert _sql_visible_ids(max(u.pk for u in users) + 1) == set()  # no such user: nothing
