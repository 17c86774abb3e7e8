"""A membership notice's user is stored neutrally and reaches SAMA clients as SAMA's document has it,
live and in the history alike."""

import pytest

from chats.conversations import conversation_create
from tests.helpers import db, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def test_an_added_participants_notice_names_them_in_samas_form_live_and_in_the_history():
    owner, bob = await db(make_user)(), await db(make_user)()
    carol = await db(make_user)("carol", first_name="Carol", last_name="King", email="carol@example.com")
    group, _ = await db(conversation_create)(owner, type="g", name="G", participant_ids=[bob.pk])
    b = await sama_connected(bob)
    o = await sama_connected(owner)
    await o.request("conversation_update", {"id": str(group.pk), "participants": {"add": [str(carol.pk)]}})
    live = (await b.receive())["message"]
    expected_user = {
        "_id": str(carol.pk),
        "native_id": str(carol.pk),
        "login": "carol",
        "first_name": "Carol",
        "last_name": "King",
        "email": "carol@example.com",
        "recent_activity": None,
    }
    assert live["x"] == {"type": "added_participant", "user": expected_user}
    history = await b.request("message_list", {"cid": str(group.pk)})
    assert [m["x"] for m in history["messages"]] == [live["x"]]
