"""`/chats`: create, list, get, rename, settings, delete, remove from device, images."""

import pytest

from chats.models import Conversation
from messaging.sending import message_send
from tests.helpers import make_user
from tests.rest.support import CHAT_INFO_KEYS, MEDIA_INFO_KEYS, USER_INFO_KEYS, assert_error

pytestmark = pytest.mark.django_db


def test_create_personal_chat_and_get_the_same_one_again(api, users):
    alice, bob = users(2)
    client = api(alice)
    response = client.post("/chats", {"participants": [bob.pk]})
    assert response.status_code == 200, response.content
    chat = response.json()
    assert set(chat) == CHAT_INFO_KEYS
    assert chat["isPersonal"] is True and chat["title"] is None
    assert chat["owner"]["id"] == alice.pk and set(chat["owner"]) == USER_INFO_KEYS
    assert sorted(u["id"] for u in chat["allUsers"]) == [alice.pk, bob.pk]
    assert chat["addedUsers"] is None and chat["removedUsers"] is None and chat["lastMessage"] is None
    assert (chat["images"], chat["isMuted"], chat["isArchived"], chat["isBlocked"]) == ([], False, False, False)
    assert client.post("/chats", {"participants": [bob.pk, alice.pk], "isPersonal": True}).json()["id"] == chat["id"]
    assert api(bob).personal_create(alice) == chat["id"]


def test_create_group_chat_and_same_participants_return_it(api, users):
    alice, bob, carol = users(3)
    client = api(alice)
    chat = client.post("/chats", {"title": "Team", "participants": [bob.pk, carol.pk]}).json()
    assert chat["isPersonal"] is False and chat["title"] == "Team"
    again = api(carol).post("/chats", {"title": "Other", "participants": [alice.pk, bob.pk]}).json()
    assert again["id"] == chat["id"]
    two = client.post("/chats", {"title": "Pair", "participants": [bob.pk], "isPersonal": False}).json()
    assert two["isPersonal"] is False and two["id"] != chat["id"]


def test_create_errors(api, users):
    alice, bob, carol = users(3)
    client = api(alice)
    assert_error(client.post("/chats", {"participants": [bob.pk, carol.pk], "isPersonal": True}), 400, "personal")
    assert_error(client.post("/chats", {"participants": []}), 400)
    assert_error(client.post("/chats", {"participants": [alice.pk]}), 400)
    assert_error(client.post("/chats", {"participants": ["x"]}), 400, "participants")
    assert_error(client.post("/chats", {"title": "no participants"}), 400, "participants")
    assert_error(client.post("/chats", {"participants": [999999]}), 404, "Users not found")
    assert_error(client.post("/chats", {"participants": [2**64]}), 400)
    assert_error(client.post("/chats", "participants=1", content_type="application/x-www-form-urlencoded"), 415)
    assert_error(api().post("/chats", {"participants": [bob.pk]}), 401)


def test_list_chats_plain_and_full(api, users):
    alice, bob, carol = users(3)
    group = api(alice).group_create(bob, carol)
    personal = api(alice).personal_create(bob)
    message_send(bob, conversation_id=group, body="hello")
    listed = api(alice).get("/chats/").json()
    assert [c["id"] for c in listed] == [group, personal]  # newest activity first
    assert all(c["allUsers"] is None for c in listed)
    last = listed[0]["lastMessage"]
    assert last["text"] == "hello" and last["authorId"] == bob.pk and last["readMarks"] == []
    full = api(alice).get("/chats/", {"full": "1"}).json()
    assert sorted(u["id"] for u in full[0]["allUsers"]) == [alice.pk, bob.pk, carol.pk]
    assert api(carol).get("/chats", {"full": "true"}).json()[0]["id"] == group
    assert_error(api(alice).get("/chats", {"full": "maybe"}), 400, "full")
    assert_error(api().get("/chats"), 401)


def test_get_chat_and_not_found(api, users):
    alice, bob, carol = users(3)
    chat = api(alice).group_create(bob)
    assert api(bob).get(f"/chats/{chat}").json()["id"] == chat
    assert_error(api(carol).get(f"/chats/{chat}"), 404)
    assert_error(api(alice).get("/chats/999999"), 404)
    assert_error(api(alice).get("/chats/x"), 404)


def test_update_title(api, users):
    alice, bob = users(2)
    chat = api(alice).group_create(bob)
    response = api(bob).put(f"/chats/{chat}", {"title": "Renamed"})
    assert response.status_code == 200 and response.json()["title"] == "Renamed"
    personal = api(alice).personal_create(bob)
    assert_error(api(alice).put(f"/chats/{personal}", {"title": "x"}), 400, "personal")
    assert_error(api(alice).put(f"/chats/{chat}", {}), 400, "title")
    assert_error(api(alice).put(f"/chats/{chat}", {"title": "x" * 256}), 400)
    assert_error(api(make_user()).put(f"/chats/{chat}", {"title": "x"}), 404)


def test_settings_and_remove_from_device(api, users):
    alice, bob = users(2)
    client = api(alice)
    chat = client.post("/chats", {"participants": [bob.pk]}).json()["id"]
    response = client.put(f"/chats/{chat}/settings", {"isMuted": True, "isArchived": True})
    assert response.status_code == 200
    assert (response.json()["isMuted"], response.json()["isArchived"]) == (True, True)
    assert client.put(f"/chats/{chat}/settings", {"isArchived": False}).json()["isMuted"] is True
    assert client.put(f"/chats/{chat}/settings", {"isRemovedOnDevice": True}).status_code == 200
    assert client.get("/chats").json() == []
    assert client.get(f"/chats/{chat}").status_code == 200
    # a message into it (from either side of a personal chat) brings it back
    message_send(bob, conversation_id=chat, body="back?")
    assert [c["id"] for c in client.get("/chats").json()] == [chat]
    assert_error(client.put(f"/chats/{chat}/settings", {"isMuted": "perhaps"}), 400, "isMuted")
    assert_error(api(make_user()).put(f"/chats/{chat}/settings", {"isMuted": True}), 404)


def test_delete_chat(api, users):
    alice, bob = users(2)
    chat = api(alice).group_create(bob)
    assert_error(api(bob).delete(f"/chats/{chat}"), 403, "owner")
    response = api(alice).delete(f"/chats/{chat}")
    assert response.status_code == 200 and response.content == b""
    assert not Conversation.objects.filter(pk=chat).exists()
    assert_error(api(alice).delete(f"/chats/{chat}"), 404)
    personal = api(alice).personal_create(bob)
    assert api(bob).delete(f"/chats/{personal}").status_code == 200


def test_chat_images(api, users):
    alice, bob = users(2)
    chat = api(alice).group_create(bob)
    image = {"id": "8E4B6F2A-1C5D-4E7F-9A0B-1234567890AB", "fileType": "png", "fileSize": 1000, "previewWidth": 100}
    response = api(alice).post(f"/chats/{chat}/images", {"image": image})
    assert response.status_code == 200, response.content
    (shown,) = response.json()["images"]
    assert set(shown) == MEDIA_INFO_KEYS
    assert (shown["id"], shown["fileType"], shown["fileSize"], shown["previewWidth"]) == (image["id"], "png", 1000, 100)
    assert shown["previewHeight"] is None and shown["createdAt"]
    assert_error(api(bob).post(f"/chats/{chat}/images", {"image": image}), 403, "owner")
    assert_error(api(alice).post(f"/chats/{chat}/images", {"image": {**image, "id": None}}), 400, "id")
    assert_error(api(alice).post(f"/chats/{chat}/images", {"image": {**image, "fileSize": 0}}), 400, "fileSize")
    assert_error(api(alice).post(f"/chats/{chat}/images", {"image": {**image, "id": "../x"}}), 400)
    assert_error(api(alice).post(f"/chats/{chat}/images", {}), 400, "image")
    personal = api(alice).personal_create(bob)
    assert_error(api(alice).post(f"/chats/{personal}/images", {"image": image}), 400, "personal")
    assert_error(api(bob).delete(f"/chats/{chat}/images/{image['id']}"), 403)
    assert_error(api(alice).delete(f"/chats/{chat}/images/nope"), 404, "Image not found")
    response = api(alice).delete(f"/chats/{chat}/images/{image['id']}")
    assert response.status_code == 200 and response.content == b""
    assert api(alice).get(f"/chats/{chat}").json()["images"] == []
