"""Who may act on a conversation (chats.access): a participant reads, a participant not blocked
from posting posts, the owner manages; anyone else gets the same NotFound as for a missing id."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from chats.access import access_conversation, access_participation, is_owner
from chats.blocking import participant_block_set
from chats.models import Conversation, Participant
from config.errors import Forbidden, NotFound
from tests.helpers import make_group, make_private, make_user

pytestmark = pytest.mark.django_db

NOT_FOUND = ("Conversation not found", "conversation_not_found")
BLOCKED = ("You are blocked from posting in this conversation", "blocked")


def _refusal(error) -> tuple[str, str]:
    return error.value.message, error.value.code


def test_a_participant_gets_their_participation_with_the_conversation():
    alice, bob = make_user(), make_user()
    group = make_group(alice, bob)
    participation = access_participation(bob, group.pk)
    assert isinstance(participation, Participant)
    assert (participation.user_id, participation.conversation_id) == (bob.pk, group.pk)
    assert participation.conversation == group
    assert access_participation(bob.pk, group.pk).pk == participation.pk  # a user id does as well


@pytest.mark.parametrize("access", [access_participation, access_conversation])
def test_a_stranger_and_a_missing_id_get_the_same_not_found(access):
    alice, bob, stranger = make_user(), make_user(), make_user()
    group = make_group(alice, bob)
    missing = Conversation.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    for user, conversation_id in ((stranger, group.pk), (alice, missing), (stranger, missing)):
        with pytest.raises(NotFound) as refused:
            access(user, conversation_id)
        assert _refusal(refused) == NOT_FOUND


def test_a_participant_who_left_is_a_stranger():
    alice, bob = make_user(), make_user()
    group = make_group(alice, bob)
    Participant.objects.filter(conversation=group, user=bob).delete()
    with pytest.raises(NotFound) as refused:
        access_conversation(bob, group.pk)
    assert _refusal(refused) == NOT_FOUND


@pytest.mark.parametrize("access", [access_participation, access_conversation])
def test_a_participant_blocked_from_posting_reads_but_may_not_post(access):
    owner, blocked = make_user(), make_user()
    group = make_group(owner, blocked)
    participant_block_set(owner, conversation_id=group.pk, user_id=blocked.pk, blocked=True)
    assert access(blocked, group.pk)  # reading is allowed
    with pytest.raises(Forbidden) as refused:
        access(blocked, group.pk, to_post=True)
    assert _refusal(refused) == BLOCKED
    assert access(owner, group.pk, to_post=True)  # the others still post


def test_a_stranger_asking_to_post_learns_nothing_more():
    owner, member, stranger = make_user(), make_user(), make_user()
    group = make_group(owner, member)
    with pytest.raises(NotFound) as refused:
        access_conversation(stranger, group.pk, to_post=True, as_owner="renames the group")
    assert _refusal(refused) == NOT_FOUND


def test_only_a_groups_owner_passes_as_owner():
    owner, member = make_user(), make_user()
    group = make_group(owner, member)
    assert access_conversation(owner, group.pk, as_owner="removes participants") == group
    with pytest.raises(Forbidden) as refused:
        access_conversation(member, group.pk, as_owner="removes participants")
    assert _refusal(refused) == ("Only the owner removes participants", "not_owner")
    assert (is_owner(owner, group), is_owner(member, group), is_owner(member.pk, group)) == (True, False, False)


def test_either_side_of_a_private_conversation_is_its_owner():
    alice, bob = make_user(), make_user()
    private = make_private(alice, bob)
    assert (private.owner_id, private.opponent_id) == (alice.pk, bob.pk)
    for user in (alice, bob):
        assert access_conversation(user, private.pk, as_owner="deletes the chat") == private
        assert is_owner(user.pk, private)


def test_a_blocked_owner_check_comes_after_the_posting_check():
    alice, bob = make_user(), make_user()
    private = make_private(alice, bob)
    participant_block_set(alice, conversation_id=private.pk, user_id=bob.pk, blocked=True)
    with pytest.raises(Forbidden) as refused:
        access_conversation(bob, private.pk, to_post=True, as_owner="deletes the chat")
    assert _refusal(refused) == BLOCKED


def test_lock_locks_the_row_each_access_names_and_reads_it_afresh():
    owner, member = make_user(), make_user()
    group = make_group(owner, member, name="before")
    Conversation.objects.filter(pk=group.pk).update(name="after")
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locked = access_participation(member, group.pk, lock=True)
        conversation = access_conversation(owner, group.pk, as_owner="renames the group", lock=True)
    assert (locked.user_id, locked.conversation.name) == (member.pk, "after")
    assert (conversation.pk, conversation.name) == (group.pk, "after")
    # the participation row; then the conversation row, and the participation read under its lock
    assert len(queries) == 3
    locking = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locking) == (2 if connection.features.has_select_for_update else 0)
