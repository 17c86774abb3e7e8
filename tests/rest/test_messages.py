"""`/chats/<id>/messages`: post, history, edit, delete, read mark, clear."""

import pytest

from messaging.models import Message
from messaging.sending import message_send
from tests.helpers import make_user
from tests.rest.support import MEDIA_INFO_KEYS, MESSAGE_INFO_KEYS, assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(api, users):
    """(alice, bob, carol, group chat id), alice owning it."""
    alice, bob, carol = users(3)
    body = {"title": "G", "participants": [bob.pk, carol.pk]}
    return alice, bob, carol, api(alice).post("/chats", body).json()["id"]


def test_post_message(api, chat):
    alice, _, _, cid = chat
    local_id = f"{alice.pk}+2B1F8A4C-6E2D-4F0A-9C3B-7D5E1A2B3C4D"
    response = api(alice).post(f"/chats/{cid}/messages", {"localId": local_id, "text": "Hello ✓"})
    assert response.status_code == 200, response.content
    m = response.json()
    assert set(m) == MESSAGE_INFO_KEYS
    assert (m["localId"], m["chatId"], m["authorId"], m["text"], m["isVisible"]) == (
        local_id,
        cid,
        alice.pk,
        "Hello ✓",
        True,
    )
    assert m["createdAt"] and m["updatedAt"] and m["editedAt"] is None and m["deletedAt"] is None
    assert m["attachments"] == [] and m["readMarks"] == []
    # posting the same localId again answers the same message
    assert api(alice).post(f"/chats/{cid}/messages", {"localId": local_id, "text": "Hello ✓"}).json()["id"] == m["id"]
    assert Message.objects.filter(conversation_id=cid, is_system=False).count() == 1


def test_post_message_with_attachment(api, chat):
    alice, _, _, cid = chat
    attachment = {"fileType": "jpeg", "fileSize": 12345, "previewWidth": 300, "previewHeight": 200}
    body = api(alice).post(f"/chats/{cid}/messages", {"attachment": attachment, "isVisible": False}).json()
    (media,) = body["attachments"]
    assert set(media) == MEDIA_INFO_KEYS and media["id"]  # an id to upload the file under
    assert (media["fileType"], media["fileSize"], media["previewWidth"], media["previewHeight"]) == (
        "jpeg",
        12345,
        300,
        200,
    )
    assert body["isVisible"] is False and body["text"] == ""
    named = {"id": "my-file-1", "fileType": "png", "fileSize": 10}
    assert (
        api(alice).post(f"/chats/{cid}/messages", {"attachment": named}).json()["attachments"][0]["id"] == "my-file-1"
    )


def test_post_message_errors(api, chat):
    alice, _, _, cid = chat
    assert api(alice).post(f"/chats/{cid}/messages", {"text": "é" * 1024}).status_code == 200  # 2048 bytes
    assert_error(api(alice).post(f"/chats/{cid}/messages", {"text": "é" * 1025}), 400, "2048 bytes")
    assert_error(api(alice).post(f"/chats/{cid}/messages", {"text": "x" * 2049}), 400)
    assert_error(api(alice).post(f"/chats/{cid}/messages", {}), 400, "needs a body")
    assert_error(api(alice).post(f"/chats/{cid}/messages", {"text": "   "}), 400)
    bad = {"fileType": "", "fileSize": 1}
    assert_error(api(alice).post(f"/chats/{cid}/messages", {"attachment": bad}), 400, "fileType")
    assert_error(api(alice).post(f"/chats/{cid}/messages", {"attachment": {"fileType": "png", "fileSize": 0}}), 400)
    assert_error(api(alice).post(f"/chats/{cid}/messages", {"text": "x", "localId": "y" * 129}), 400, "localId")
    assert_error(api(make_user()).post(f"/chats/{cid}/messages", {"text": "x"}), 404)
    assert_error(api(alice).post("/chats/999999/messages", {"text": "x"}), 404)
    assert_error(api().post(f"/chats/{cid}/messages", {"text": "x"}), 401)


def test_history_count_and_before(api, chat):
    alice, bob, _, cid = chat
    ids = [message_send(alice if n % 2 else bob, conversation_id=cid, body=f"m{n}")[0].pk for n in range(60)]
    client = api(bob)
    page = client.get(f"/chats/{cid}/messages").json()
    assert [m["id"] for m in page] == ids[::-1][:50]  # newest first, 50 by default
    assert [m["text"] for m in client.get(f"/chats/{cid}/messages", {"count": 3}).json()] == ["m59", "m58", "m57"]
    older = client.get(f"/chats/{cid}/messages", {"count": 2, "before": ids[10]}).json()
    assert [m["id"] for m in older] == [ids[9], ids[8]]
    assert_error(client.get(f"/chats/{cid}/messages", {"count": 0}), 400, "count")
    assert_error(client.get(f"/chats/{cid}/messages", {"before": "x"}), 400, "before")
    assert_error(api(make_user()).get(f"/chats/{cid}/messages"), 404)


def test_edit_message(api, chat):
    alice, bob, _, cid = chat
    mid = api(alice).post(f"/chats/{cid}/messages", {"text": "draft"}).json()["id"]
    response = api(alice).put(f"/chats/{cid}/messages/{mid}", {"text": "final", "fileExists": True})
    assert response.status_code == 200
    assert response.json()["text"] == "final" and response.json()["editedAt"]
    assert api(alice).put(f"/chats/{cid}/messages/{mid}", {"isVisible": False}).json()["isVisible"] is False
    assert_error(api(bob).put(f"/chats/{cid}/messages/{mid}", {"text": "mine"}), 403, "sender")
    assert_error(api(alice).put(f"/chats/{cid}/messages/{mid}", {"text": ""}), 400)
    assert_error(api(alice).put(f"/chats/{cid}/messages/{mid}", {"text": "é" * 1025}), 400)
    other = api(alice).personal_create(bob)
    assert_error(api(alice).put(f"/chats/{other}/messages/{mid}", {"text": "x"}), 404)
    assert_error(api(alice).put(f"/chats/{cid}/messages/999999", {"text": "x"}), 404)


def test_delete_message(api, chat):
    alice, bob, _, cid = chat
    attachment = {"fileType": "png", "fileSize": 5}
    mid = api(alice).post(f"/chats/{cid}/messages", {"text": "oops", "attachment": attachment}).json()["id"]
    assert_error(api(bob).delete(f"/chats/{cid}/messages/{mid}"), 403)
    response = api(alice).delete(f"/chats/{cid}/messages/{mid}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == mid and body["text"] == "" and body["attachments"] == [] and body["deletedAt"]
    history = api(bob).get(f"/chats/{cid}/messages").json()
    assert [m["deletedAt"] is not None for m in history if m["id"] == mid] == [True]
    assert_error(api(alice).put(f"/chats/{cid}/messages/{mid}", {"text": "back"}), 404)
    assert_error(api(alice).delete(f"/chats/{cid}/messages/999999"), 404)


def test_read_mark(api, chat):
    alice, bob, carol, cid = chat
    first = api(alice).post(f"/chats/{cid}/messages", {"text": "one"}).json()["id"]
    second = api(alice).post(f"/chats/{cid}/messages", {"text": "two"}).json()["id"]
    response = api(bob).put(f"/chats/{cid}/messages/{first}/read")
    assert response.status_code == 200 and response.content == b""
    history = {m["id"]: m for m in api(alice).get(f"/chats/{cid}/messages").json()}
    assert [r["user"] for r in history[first]["readMarks"]] == [bob.pk]
    assert set(history[first]["readMarks"][0]) == {"id", "user", "createdAt"}
    assert history[second]["readMarks"] == []
    api(carol).put(f"/chats/{cid}/messages/{second}/read")
    history = {m["id"]: m for m in api(alice).get(f"/chats/{cid}/messages").json()}
    assert sorted(r["user"] for r in history[first]["readMarks"]) == [bob.pk, carol.pk]
    assert api(alice).get(f"/chats/{cid}").json()["lastMessage"]["readMarks"][0]["user"] == carol.pk
    assert_error(api(bob).put(f"/chats/{cid}/messages/999999/read"), 404)
    assert_error(api(make_user()).put(f"/chats/{cid}/messages/{first}/read"), 404)


def test_clear_messages(api, chat):
    alice, bob, _, cid = chat
    api(alice).post(f"/chats/{cid}/messages", {"text": "one"})
    assert_error(api(bob).delete(f"/chats/{cid}/messages"), 403, "owner")
    response = api(alice).delete(f"/chats/{cid}/messages")
    assert response.status_code == 200 and response.content == b""
    assert api(bob).get(f"/chats/{cid}/messages").json() == []
    assert api(bob).get(f"/chats/{cid}").status_code == 200
    assert_error(api(make_user()).delete(f"/chats/{cid}/messages"), 404)
