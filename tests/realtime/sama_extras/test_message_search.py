"""SAMA `message_search {keyword, cids?, limit?}` (this server's extension): the newest messages the
user sees whose text holds the keyword, as `message` frames carry them; errors in SAMA's shape."""

import pytest

from chats.conversations import conversation_update
from messaging.editing import message_delete
from messaging.sending import message_send
from tests.helpers import SamaClient, db, make_group, make_private, make_user, sama_connected

pytestmark = pytest.mark.django_db(transaction=True)


def _send(user, conversation, body: str) -> str:
    message, _ = message_send(user, conversation_id=conversation.pk, body=body)
    return str(message.pk)


def _search_world():
    """Alice talks to Bob privately and in a group with Carol; Bob and Carol also talk alone."""
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    private, group = make_private(alice, bob), make_group(alice, carol, name="Trip")
    others = make_private(bob, carol)
    ids = {
        "old": _send(bob, private, "Pineapple on pizza?"),
        "other": _send(bob, private, "Something else entirely"),
        "group": _send(carol, group, "I bought a PINEAPPLE for the trip"),
        "mine": _send(alice, private, "pineapple, never"),
        "theirs": _send(bob, others, "Do not tell Alice about the pineapple"),
        "deleted": _send(alice, group, "pineapple typo"),
        "hidden": _send(carol, group, "a pineapple I deleted for myself"),
    }
    message_delete(alice, conversation_id=group.pk, message_ids=[int(ids["deleted"])], everyone=True)
    message_delete(alice, conversation_id=group.pk, message_ids=[int(ids["hidden"])], everyone=False)
    # A membership notice: "bob has been added to the group".
    conversation_update(alice, conversation_id=group.pk, add_ids=[bob.pk])
    return (alice, bob, carol), (private, group, others), ids


async def test_finds_the_newest_visible_matches_in_any_case_across_or_within_conversations():
    (alice, bob, _carol), (private, group, others), ids = await db(_search_world)()
    a = await sama_connected(alice)

    found = await a.request("message_search", {"keyword": "  PineApple "}, "s1")
    assert set(found) == {"id", "messages"} and found["id"] == "s1"
    assert [m["_id"] for m in found["messages"]] == [ids["mine"], ids["group"], ids["old"]]

    # Each as a `message` frame carries it: the same fields as message_list's, without its
    # status and reactions.
    listed = (await a.request("message_list", {"cid": str(private.pk)}))["messages"]
    in_history = next(m for m in listed if m["_id"] == ids["old"])
    item = found["messages"][2]
    assert item == {k: v for k, v in in_history.items() if k not in ("status", "reactions")}
    assert set(item) == {"_id", "t", "from", "body", "cid", "x", "created_at", "updated_at"}
    assert (item["from"], item["cid"], item["body"]) == (str(bob.pk), str(private.pk), "Pineapple on pizza?")

    within = await a.request("message_search", {"keyword": "pineapple", "cids": [str(group.pk)]})
    assert [m["_id"] for m in within["messages"]] == [ids["group"]]
    newest = await a.request("message_search", {"keyword": "pineapple", "limit": 1})
    assert [m["_id"] for m in newest["messages"]] == [ids["mine"]]

    # A conversation one is not in adds nothing, named or not; neither do membership notices.
    not_mine = await a.request("message_search", {"keyword": "pineapple", "cids": [str(others.pk), "999999"]})
    assert not_mine["messages"] == []
    assert (await a.request("message_search", {"keyword": "added to the group"}))["messages"] == []
    assert (await a.request("message_search", {"keyword": "tell Alice"}))["messages"] == []
    await a.close()

    # Bob, added to the group afterwards, sees its history too (and what Alice hid from herself
    # alone), and the conversation with Carol that Alice is not in.
    b = await sama_connected(bob)
    seen_by_bob = await b.request("message_search", {"keyword": "pineapple"})
    assert [m["_id"] for m in seen_by_bob["messages"]] == [
        ids["hidden"],
        ids["theirs"],
        ids["mine"],
        ids["group"],
        ids["old"],
    ]
    await b.close()


async def test_the_keyword_matches_literally():
    alice, bob = await db(make_user)(), await db(make_user)()
    private = await db(make_private)(alice, bob)
    percent = await db(_send)(alice, private, "100% sure")
    await db(_send)(alice, private, "100 sure")
    a = await sama_connected(alice)
    assert [m["_id"] for m in (await a.request("message_search", {"keyword": "0%"}))["messages"]] == [percent]
    assert (await a.request("message_search", {"keyword": "1_0"}))["messages"] == []
    await a.close()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "keyword must be a non-empty string"),
        ({"keyword": ""}, "keyword must be a non-empty string"),
        ({"keyword": "   "}, "keyword must be a non-empty string"),
        ({"keyword": 7}, "keyword must be a non-empty string"),
        ({"keyword": "x" * 256}, "keyword must be at most 255 characters"),
        ({"keyword": "hi", "cids": "12"}, "cids must be a list"),
        ({"keyword": "hi", "cids": ["twelve"]}, "cids is not a valid id"),
        ({"keyword": "hi", "cids": []}, "cids must not be empty"),
        ({"keyword": "hi", "cids": [str(n) for n in range(1, 102)]}, "cids holds at most 100 ids"),
        ({"keyword": "hi", "limit": 0}, "limit must be a positive integer"),
        ("hi", "message_search must be an object"),
    ],
)
async def test_bad_requests_are_answered_with_422(params, message):
    alice = await db(make_user)()
    a = await sama_connected(alice)
    answer = await a.request("message_search", params, "bad")
    assert answer == {"id": "bad", "error": {"status": 422, "message": message}}
    await a.close()


async def test_searching_needs_a_signed_in_connection():
    client = await SamaClient().open()
    answer = await client.request("message_search", {"keyword": "pineapple"}, "anon")
    assert answer == {"id": "anon", "error": {"status": 401, "message": "Unauthorized"}}
    await client.close()
