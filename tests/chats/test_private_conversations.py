"""A private conversation between two people, and a REST chat of the same members, is one
conversation, even when two create it at the same moment."""

import threading

import pytest
from django.db import connection, transaction

from chats import conversations
from chats.conversations import conversation_create, conversation_find_or_create
from chats.models import Conversation
from tests.helpers import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_private_conversation_created_by_the_other_at_the_same_moment_is_answered(monkeypatch):
    alice, bob = make_user(), make_user()
    theirs, created = conversation_create(bob, type=Conversation.PRIVATE, participant_ids=[alice.pk])
    assert created
    # Alice looked before Bob's committed, and creates hers after: its key is taken.
    lookup, looks = conversations.private_conversation_between, []

    def first_look_too_early(user_a: int, user_b: int) -> Conversation | None:
        looks.append(user_a)
        return None if len(looks) == 1 else lookup(user_a, user_b)

    monkeypatch.setattr(conversations, "private_conversation_between", first_look_too_early)
    conversation, created = conversation_create(alice, type=Conversation.PRIVATE, participant_ids=[bob.pk])
    assert (conversation.pk, created) == (theirs.pk, False)
    assert len(looks) == 2
    assert Conversation.objects.filter(type=Conversation.PRIVATE).count() == 1


@pytest.mark.postgresql
def test_a_rest_chat_of_the_same_members_asked_for_at_the_same_moment_is_made_once():
    alice, bob, carol = make_user(), make_user(), make_user()
    members = [alice.pk, bob.pk, carol.pk]
    answers: list[tuple[int, bool]] = []

    def ask_too() -> None:
        try:
            chat, created = conversation_find_or_create(bob, participant_ids=members, title="T")
            answers.append((chat.pk, created))
        finally:
            connection.close()

    with transaction.atomic():  # Alice's chat, not yet committed while Bob asks for the same
        first, created = conversation_find_or_create(alice, participant_ids=members, title="T")
        asking = threading.Thread(target=ask_too)
        asking.start()
        asking.join(0.5)
        assert created and asking.is_alive()  # Bob waits for Alice's to commit
    asking.join(10)
    assert answers == [(first.pk, False)]
