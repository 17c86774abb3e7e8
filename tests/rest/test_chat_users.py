"""`/chats/<id>/users`, `/me`, `/block`, `/unblock`, `/users/<id>/block`, `/users/blocked`, `/notify`."""

import pytest

from chats.models import ConversationBlock, Participant
from tests.helpers import make_user
from tests.rest.support import assert_error

pytestmark = pytest.mark.django_db


def test_add_users(api, users):
    alice, bob, carol, dan = users(4)
    chat = api(alice).group_create(bob)
    response = api(bob).post(f"/chats/{chat}/users", {"users": [carol.pk, dan.pk, alice.pk]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert sorted(u["id"] for u in body["addedUsers"]) == [carol.pk, dan.pk]
    assert body["removedUsers"] is None
    assert sorted(u["id"] for u in body["allUsers"]) == sorted(u.pk for u in (alice, bob, carol, dan))


def test_add_users_errors(api, users):
    alice, bob, carol = users(3)
    chat = api(alice).group_create(bob)
    assert_error(api(alice).post(f"/chats/{chat}/users", {"users": [bob.pk]}), 400, "No users to add")
    assert_error(api(alice).post(f"/chats/{chat}/users", {"users": []}), 400)
    many = users(11)
    assert_error(api(alice).post(f"/chats/{chat}/users", {"users": [u.pk for u in many]}), 400, "At most 10")
    assert_error(api(alice).post(f"/chats/{chat}/users", {"users": [999999]}), 404)
    assert_error(api(alice).post(f"/chats/{chat}/users", {"users": "1,2"}), 400, "users")
    assert_error(api(carol).post(f"/chats/{chat}/users", {"users": [carol.pk]}), 404)
    personal = api(alice).personal_create(bob)
    assert_error(api(alice).post(f"/chats/{personal}/users", {"users": [carol.pk]}), 400, "personal")


def test_remove_users(api, users):
    alice, bob, carol = users(3)
    chat = api(alice).group_create(bob, carol)
    assert_error(api(bob).delete(f"/chats/{chat}/users", {"users": [carol.pk]}), 403, "owner")
    response = api(alice).delete(f"/chats/{chat}/users", {"users": [carol.pk]})
    assert response.status_code == 200
    assert [u["id"] for u in response.json()["removedUsers"]] == [carol.pk]
    assert response.json()["addedUsers"] is None
    assert_error(api(alice).delete(f"/chats/{chat}/users", {"users": [carol.pk]}), 400, "not participants")
    assert_error(api(alice).delete(f"/chats/{chat}/users", {"users": []}), 400)
    assert_error(api(alice).delete(f"/chats/{chat}/users", {"users": [alice.pk]}), 400, "exit the chat")
    personal = api(alice).personal_create(bob)
    assert_error(api(alice).delete(f"/chats/{personal}/users", {"users": [bob.pk]}), 400, "personal")


def test_exit_chat(api, users):
    alice, bob = users(2)
    chat = api(alice).group_create(bob)
    response = api(bob).delete(f"/chats/{chat}/me")
    assert response.status_code == 200 and response.content == b""
    assert_error(api(bob).get(f"/chats/{chat}"), 404)
    assert_error(api(bob).delete(f"/chats/{chat}/me"), 404)
    personal = api(alice).personal_create(bob)
    assert_error(api(alice).delete(f"/chats/{personal}/me"), 400, "personal")


def test_block_and_unblock_a_chat(api, users):
    alice, bob = users(2)
    chat = api(alice).group_create(bob)
    assert api(bob).put(f"/chats/{chat}/block").status_code == 200
    assert ConversationBlock.objects.filter(conversation_id=chat, user=bob).exists()
    assert_error(api(bob).get(f"/chats/{chat}"), 404)  # blocking leaves the chat
    assert_error(api(alice).post(f"/chats/{chat}/users", {"users": [bob.pk]}), 403, "blocked")
    assert api(bob).put(f"/chats/{chat}/unblock").status_code == 200
    assert api(alice).post(f"/chats/{chat}/users", {"users": [bob.pk]}).status_code == 200
    assert_error(api(make_user()).put(f"/chats/{chat}/block"), 404)
    assert_error(api(make_user()).put(f"/chats/{chat}/unblock"), 404)
    personal = api(alice).personal_create(bob)  # ignored for personal chats
    assert api(alice).put(f"/chats/{personal}/block").status_code == 200
    assert api(alice).get(f"/chats/{personal}").status_code == 200
    assert api(alice).put(f"/chats/{personal}/unblock").status_code == 200


def test_block_a_user_from_posting(api, users):
    alice, bob, carol = users(3)
    chat = api(alice).group_create(bob, carol)
    assert_error(api(bob).put(f"/chats/{chat}/users/{carol.pk}/block"), 403, "owner")
    response = api(alice).put(f"/chats/{chat}/users/{carol.pk}/block")
    assert response.status_code == 200 and response.content == b""
    assert [u["id"] for u in api(bob).get(f"/chats/{chat}/users/blocked").json()] == [carol.pk]
    assert api(carol).get(f"/chats/{chat}").json()["isBlocked"] is True
    assert_error(api(carol).post(f"/chats/{chat}/messages", {"text": "hi"}), 403, "blocked")
    assert_error(api(carol).post(f"/chats/{chat}/notify", {"name": "typing"}), 403)
    assert api(alice).put(f"/chats/{chat}/users/{carol.pk}/unblock").status_code == 200
    assert api(carol).post(f"/chats/{chat}/messages", {"text": "hi"}).status_code == 200
    assert api(bob).get(f"/chats/{chat}/users/blocked").json() == []
    assert_error(api(alice).put(f"/chats/{chat}/users/{alice.pk}/block"), 400, "yourself")
    assert_error(api(alice).put(f"/chats/{chat}/users/999999/block"), 404)
    assert_error(api(alice).put(f"/chats/{chat}/users/abc/block"), 404)
    assert_error(api(make_user()).get(f"/chats/{chat}/users/blocked"), 404)
    personal = api(alice).personal_create(bob)  # either side blocks the other in a personal chat
    assert api(bob).put(f"/chats/{personal}/users/{alice.pk}/block").status_code == 200
    assert Participant.objects.get(conversation_id=personal, user=alice).is_blocked


def test_notify_errors(api, users):
    alice, bob = users(2)
    chat = api(alice).group_create(bob)
    assert api(alice).post(f"/chats/{chat}/notify", {"name": "typing_started"}).status_code == 200
    assert api(alice).post(f"/chats/{chat}/notify", {}).status_code == 200
    assert_error(api(alice).post(f"/chats/{chat}/notify", {"realm": "smoke"}), 400, "realm")
    assert_error(api(alice).post(f"/chats/{chat}/notify", {"data": [1]}), 400, "data")
    assert_error(api(make_user()).post(f"/chats/{chat}/notify", {"name": "x"}), 404)
