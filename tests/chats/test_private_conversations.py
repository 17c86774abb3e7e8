"""A private conversation between two people is one conversation, even when both create it at the
same moment."""

import pytest

from chats import conversations
from chats.conversations import conversation_create
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
