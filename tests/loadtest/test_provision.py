"""The load tool's database preparation: each run starts from the same memberships."""

import pytest

from chats.conversations import conversation_create
from chats.models import Conversation, Participant
from loadtest.provision import earlier_groups_leave
from tests.helpers import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _group(actor, members, name):
    return conversation_create(actor, type=Conversation.GROUP, participant_ids=[m.pk for m in members], name=name)[0]


def test_users_leave_earlier_runs_groups_only():
    first, second, other = make_user(), make_user(), make_user()
    earlier = [_group(first, [second, other], "loadtest 0.0"), _group(first, [second, other], "loadtest 0.0")]
    kept = _group(first, [second, other], "loadtest party")  # not a run's name: "loadtest " then a number
    family = _group(first, [second, other], "family")

    assert earlier_groups_leave([first.pk, second.pk]) == 4

    memberships = set(Participant.objects.values_list("conversation_id", "user_id"))
    assert memberships == {
        *((earlier_group.pk, other.pk) for earlier_group in earlier),
        *((group.pk, user.pk) for group in (kept, family) for user in (first, second, other)),
    }
