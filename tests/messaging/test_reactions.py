"""Reactions: a user who sees a message adds or removes reactions on it; participants who see it are
told of real changes only; summaries of a page cost one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.blocking import users_block
from accounts.services import user_delete
from config.errors import Invalid, NotFound
from events.delivery import event_published
from events.kinds import MessageReactionsUpdated
from messaging.clearing import conversation_clear
from messaging.editing import message_delete
from messaging.models import MessageReaction
from messaging.reactions import message_reactions_list, message_reactions_update, reactions_summaries
from messaging.sending import message_send
from tests.helpers import make_group, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    events: list = []

    def receive(sender, event, **kwargs):
        if isinstance(event, MessageReactionsUpdated):
            events.append(event)

    event_published.connect(receive)
    yield events
    event_published.disconnect(receive)


@pytest.fixture
def chat():
    alice, bob, carol = make_user(), make_user(), make_user()
    group = make_group(alice, bob, carol)
    message, _ = message_send(bob, conversation_id=group.pk, body="react to me")
    return alice, bob, carol, group, message


def test_add_and_remove_change_the_users_reactions_and_tell_the_participants(chat, published):
    alice, bob, carol, group, message = chat
    assert message_reactions_update(alice, message_id=message.pk, add="👍", origin="c1") == ("👍", None)
    assert message_reactions_update(alice, message_id=message.pk, add="😂") == ("😂", None)  # several each
    assert message_reactions_update(bob, message_id=message.pk, add="👍") == ("👍", None)
    assert message_reactions_list(carol, message_id=message.pk) == {"👍": [alice.pk, bob.pk], "😂": [alice.pk]}
    assert message_reactions_update(alice, message_id=message.pk, add="🔥", remove="😂") == ("🔥", "😂")
    assert message_reactions_list(alice, message_id=message.pk) == {"👍": [alice.pk, bob.pk], "🔥": [alice.pk]}
    event = published[0]
    assert sorted(event.recipients) == sorted([alice.pk, bob.pk, carol.pk])
    assert (event.actor_id, event.origin, event.conversation_id, event.conversation_type) == (
        alice.pk,
        "c1",
        group.pk,
        "g",
    )
    assert (event.message_id, event.added, event.removed) == (message.pk, "👍", None)
    assert [(e.added, e.removed) for e in published] == [("👍", None), ("😂", None), ("👍", None), ("🔥", "😂")]


def test_nothing_changed_publishes_nothing(chat, published):
    alice, _, _, _, message = chat
    message_reactions_update(alice, message_id=message.pk, add="👍")
    assert message_reactions_update(alice, message_id=message.pk, add="👍") == (None, None)
    assert message_reactions_update(alice, message_id=message.pk, remove="😿") == (None, None)
    assert message_reactions_update(alice, message_id=message.pk, add="👍", remove="😿") == (None, None)
    assert message_reactions_update(alice, message_id=message.pk, add="👍", remove="👍") == (None, None)
    assert len(published) == 1
    assert MessageReaction.objects.filter(message=message).count() == 1


def test_only_what_changed_is_told(chat, published):
    alice, _, _, _, message = chat
    message_reactions_update(alice, message_id=message.pk, add="👍")
    assert message_reactions_update(alice, message_id=message.pk, add="👍", remove="👎") == (None, None)
    assert message_reactions_update(alice, message_id=message.pk, add="👎", remove="🙈") == ("👎", None)
    assert message_reactions_update(alice, message_id=message.pk, add="👎", remove="👍") == (None, "👍")
    assert [(e.added, e.removed) for e in published] == [("👍", None), ("👎", None), (None, "👍")]


@pytest.mark.parametrize(
    ("add", "remove"),
    [(None, None), ("", None), (None, ""), (5, None), (None, ["👍"]), ("x" * 11, None), ("👍" * 6, None)],
)
def test_bad_reactions_are_refused(chat, add, remove):
    alice, _, _, _, message = chat
    with pytest.raises(Invalid):
        message_reactions_update(alice, message_id=message.pk, add=add, remove=remove)
    assert not MessageReaction.objects.exists()


def test_ten_utf16_units_are_accepted(chat):
    alice, _, _, _, message = chat
    for reaction in ("x" * 10, "👍" * 5, "👨‍👩‍👧"):
        assert message_reactions_update(alice, message_id=message.pk, add=reaction)[0] == reaction


def test_a_message_the_user_does_not_see_cannot_be_reacted_to_or_listed(chat):
    alice, bob, carol, group, message = chat
    stranger = make_user()
    other, _ = message_send(bob, conversation_id=group.pk, body="deleted")
    message_delete(bob, conversation_id=group.pk, message_ids=[other.pk], everyone=True)
    hidden, _ = message_send(bob, conversation_id=group.pk, body="hidden")
    message_delete(carol, conversation_id=group.pk, message_ids=[hidden.pk], everyone=False)
    for user, message_id in ((stranger, message.pk), (alice, other.pk), (carol, hidden.pk), (alice, 10**12)):
        with pytest.raises(NotFound):
            message_reactions_update(user, message_id=message_id, add="👍")
        with pytest.raises(NotFound):
            message_reactions_list(user, message_id=message_id)


def test_those_the_message_is_hidden_from_are_not_told(chat, published):
    alice, bob, carol, group, _ = chat
    users_block(carol, user_ids=[bob.pk])
    unseen, _ = message_send(bob, conversation_id=group.pk, body="carol never sees this")
    message_reactions_update(alice, message_id=unseen.pk, add="👍")
    assert sorted(published[0].recipients) == sorted([alice.pk, bob.pk])


def test_summaries_of_a_page_cost_one_query(chat):
    alice, bob, carol, group, message = chat
    others = [message_send(alice, conversation_id=group.pk, body=f"m{n}")[0] for n in range(5)]
    message_reactions_update(alice, message_id=message.pk, add="👍")
    message_reactions_update(bob, message_id=message.pk, add="👍")
    message_reactions_update(bob, message_id=message.pk, add="😂")
    message_reactions_update(carol, message_id=others[0].pk, add="🔥")
    ids = [message.pk] + [m.pk for m in others]
    with CaptureQueriesContext(connection) as captured:
        summaries = reactions_summaries(alice, ids)
    assert len(captured) == 1
    assert summaries == {
        message.pk: {"own": ["👍"], "total": {"👍": 2, "😂": 1}},
        others[0].pk: {"own": [], "total": {"🔥": 1}},
    }
    assert reactions_summaries(alice, []) == {}


def test_reactions_go_with_a_message_deleted_for_everyone_and_with_a_cleared_chat(chat):
    alice, bob, carol, group, message = chat
    reply, _ = message_send(alice, conversation_id=group.pk, body="re", replied_message_id=message.pk)
    for user, target in ((alice, message), (carol, message), (bob, reply)):
        message_reactions_update(user, message_id=target.pk, add="👍")
    message_delete(bob, conversation_id=group.pk, message_ids=[message.pk], everyone=True)
    assert list(MessageReaction.objects.values_list("message_id", flat=True)) == [reply.pk]
    conversation_clear(alice, conversation_id=group.pk)
    assert not MessageReaction.objects.exists()


def test_a_deleted_users_reactions_go_with_them(chat):
    alice, bob, _, _, message = chat
    message_reactions_update(alice, message_id=message.pk, add="👍")
    message_reactions_update(bob, message_id=message.pk, add="👍")
    user_delete(alice)
    assert list(MessageReaction.objects.values_list("user_id", flat=True)) == [bob.pk]
