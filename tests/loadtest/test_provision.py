"""The load tool's database preparation: each run starts from the same memberships."""

import pytest

from chats.models import Participant
from loadtest.provision import earlier_groups_leave
from tests.helpers import make_group, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_users_leave_earlier_runs_groups_only():
    first, second, other = make_user(), make_user(), make_user()
    earlier = [make_group(first, second, other, name="loadtest 0.0") for _ in range(2)]
    kept = make_group(first, second, other, name="loadtest party")  # not a run's name: "loadtest " then a number
    family = make_group(first, second, other, name="family")

    assert earlier_groups_leave([first.pk, second.pk]) == 4

    memberships = set(Participant.objects.values_list("conversation_id", "user_id"))
    assert memberships == {
        *((earlier_group.pk, other.pk) for earlier_group in earlier),
        *((group.pk, user.pk) for group in (kept, family) for user in (first, second, other)),
    }
