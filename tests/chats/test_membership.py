"""Who takes part in a group: when its owner goes, by any path, the longest-standing participant
left owns it; the last one out deletes it."""

import pytest

from accounts.services import user_delete
from chats.conversations import conversation_update
from chats.membership import conversation_leave, group_leave
from chats.models import Conversation, Participant
from tests.helpers import make_group, make_user

pytestmark = pytest.mark.django_db


def _owner(conversation: Conversation) -> int | None:
    return Conversation.objects.get(pk=conversation.pk).owner_id


def test_an_owner_who_leaves_hands_the_group_to_the_longest_standing_participant():
    owner, first, second = make_user(), make_user(), make_user()
    group = make_group(owner, second, first)
    Participant.objects.filter(conversation=group, user=second).update(joined_at="2020-01-01T00:00:00Z")
    conversation_leave(owner, conversation_id=group.pk)
    assert _owner(group) == second.pk


def test_every_way_of_leaving_hands_the_group_over():
    owner, bob, carol = make_user(), make_user(), make_user()
    by_update = make_group(owner, bob, carol)
    conversation_update(owner, conversation_id=by_update.pk, remove_ids=[owner.pk])
    assert _owner(by_update) == bob.pk
    by_rest_exit = make_group(owner, bob, carol)
    group_leave(owner, conversation_id=by_rest_exit.pk)
    assert _owner(by_rest_exit) == bob.pk


def test_someone_else_leaving_keeps_the_owner_and_the_last_one_out_deletes_the_group():
    owner, bob = make_user(), make_user()
    group = make_group(owner, bob)
    conversation_leave(bob, conversation_id=group.pk)
    assert _owner(group) == owner.pk
    conversation_leave(owner, conversation_id=group.pk)
    assert not Conversation.objects.filter(pk=group.pk).exists()


def test_a_deleted_account_leaves_every_conversation_first():
    owner, bob, carol = make_user(), make_user(), make_user()
    group, alone = make_group(owner, bob, carol), make_group(owner)
    user_delete(owner)
    assert _owner(group) == bob.pk
    assert set(Participant.objects.filter(conversation=group).values_list("user_id", flat=True)) == {bob.pk, carol.pk}
    assert not Conversation.objects.filter(pk=alone.pk).exists()
