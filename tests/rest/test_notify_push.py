"""`POST /chats/<id>/notify` with realm "push" or "all" queues a push notification: the push
worker sends it, its text as the body, to the participants who are offline and have not muted
the chat; "webSocket", the default, sends none."""

import pytest

from accounts.push.backends.memory import MemoryBackend
from chats.models import Participant
from realtime.push import worker
from tests.helpers import make_user
from tests.push_helpers import pushes_in_memory, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def memory_push(settings):
    yield from pushes_in_memory(settings)


def test_a_notice_for_push_reaches_offline_participants_who_did_not_mute_the_chat(api):
    alice = make_user(first_name="Alice", last_name="Smith")
    bob, carol = make_user(), make_user()
    subs = {user.pk: subscribe(user, f"phone-{user.pk}") for user in (alice, bob, carol)}
    chat = api(alice).group_create(bob, carol)
    Participant.objects.filter(conversation_id=chat, user=carol).update(is_muted=True)

    assert api(alice).post(f"/chats/{chat}/notify", {"name": "typing_started", "text": "..."}).status_code == 200
    notice = {"name": "wave", "text": "Alice waves", "data": {"emoji": "wave"}, "realm": "push"}
    assert api(alice).post(f"/chats/{chat}/notify", notice).status_code == 200
    worker.run_once()
    assert MemoryBackend.outbox == [
        (
            subs[bob.pk].pk,
            {
                "title": "Alice Smith",
                "body": "Alice waves",
                "name": "wave",
                "cid": str(chat),
                "data": {"emoji": "wave"},
            },
        )
    ]

    MemoryBackend.outbox.clear()
    large = {"name": "big", "text": "t", "data": {"blob": "x" * 5000}, "realm": "all"}
    assert api(alice).post(f"/chats/{chat}/notify", large).status_code == 200
    worker.run_once()
    # data too large for a push payload stays out of it (the WebSocket frame carries it)
    assert MemoryBackend.outbox == [
        (subs[bob.pk].pk, {"title": "Alice Smith", "body": "t", "name": "big", "cid": str(chat)})
    ]
