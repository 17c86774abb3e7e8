"""A message posted over Chats REST is counted under its protocol, once: posting the same
`localId` again answers the stored message and counts nothing."""

import pytest

from tests.metrics_samples import moved, samples

pytestmark = pytest.mark.django_db


def test_a_posted_message_is_counted_once_under_rest(api, users, client):
    alice, bob = users(2)
    chat = api(alice).group_create(bob)
    before = samples(client.get("/metrics").content.decode())
    for _ in range(2):
        response = api(alice).post(f"/chats/{chat}/messages", {"localId": f"{alice.pk}+one", "text": "hi"})
        assert response.status_code == 200, response.content
    after = samples(client.get("/metrics").content.decode())
    assert moved(before, after, "chat_messages_sent_total", protocol="rest") == 1
    assert moved(before, after, "chat_messages_sent_total", protocol="sama") == 0
