"""chat/<subclass>/search: fields (with "_all"), filter, size, from, sort_by, sort_order and total."""

import pytest

from accounts.models import User
from accounts.phone_index import user_phone_index
from tests.helpers import db, make_user
from tests.realtime.nkchat.client import nk_connected

pytestmark = pytest.mark.django_db(transaction=True)


async def _users():
    specs = [("dave", "Dave", "Zed"), ("ann", "Ann", "Young"), ("Carl", "Carl", "Young"), ("bea", "Bea", "Xu")]
    return [await db(make_user)(login, first_name=first, last_name=last) for login, first, last in specs]


async def test_user_search_pages_sorts_and_counts():
    users = await _users()
    client = await nk_connected(users[0])
    page = await client.ok("user", "search", {"sort_by": ["login"], "size": 2})
    assert page["total"] == 4
    assert [u["login"] for u in page["data"]] == ["ann", "bea"]
    assert set(page["data"][0]) == {
        "user_id",
        "login",
        "name",
        "surname",
        "email",
        "phone",
        "created_time",
        "updated_time",
    }
    page = await client.ok("user", "search", {"sort_by": ["login"], "size": 2, "from": 2})
    assert [u["login"] for u in page["data"]] == ["Carl", "dave"]  # logins sort case-insensitively
    page = await client.ok("user", "search", {"sort_by": ["login"], "from": 4})
    assert page == {"total": 4, "data": []}
    page = await client.ok("user", "search", {"sort_by": ["surname", "name"], "sort_order": "desc"})
    assert [u["login"] for u in page["data"]] == ["dave", "Carl", "ann", "bea"]
    page = await client.ok("user", "search", {"sort_by": "user_id", "sort_order": "desc", "size": 1})
    assert page["total"] == 4 and page["data"][0]["user_id"] == str(users[-1].pk)
    page = await client.ok("user", "search", {})  # defaults: by id, ascending, 10 at most
    assert [u["user_id"] for u in page["data"]] == [str(u.pk) for u in users]
    assert (await client.ok("user", "search", {"size": 0})) == {"total": 4, "data": []}
    await client.close()


async def test_user_search_filters_and_fields():
    users = await _users()
    client = await nk_connected(users[0])
    page = await client.ok("user", "search", {"filter": {"surname": "Young"}, "fields": ["login"], "sort_by": ["name"]})
    assert page == {
        "total": 2,
        "data": [{"user_id": str(users[1].pk), "login": "ann"}, {"user_id": str(users[2].pk), "login": "Carl"}],
    }
    page = await client.ok("user", "search", {"filter": {"login": "CARL", "name": "Carl"}, "fields": ["_all"]})
    assert page["total"] == 1 and page["data"][0]["surname"] == "Young" and "created_time" in page["data"][0]
    page = await client.ok("user", "search", {"filter": {"user_id": str(users[3].pk)}, "fields": "name"})
    assert page == {"total": 1, "data": [{"user_id": str(users[3].pk), "name": "Bea"}]}
    assert (await client.ok("user", "search", {"filter": {"login": "nobody"}})) == {"total": 0, "data": []}
    await client.close()


async def test_user_search_lists_staff_only_when_a_filter_names_them():
    users = await _users()
    staff = await db(make_user)("ops", first_name="Olga", last_name="Staff")
    await db(User.objects.filter(pk=staff.pk).update)(is_staff=True)
    client = await nk_connected(users[0])
    assert (await client.ok("user", "search", {}))["total"] == 4
    assert (await client.ok("user", "search", {"filter": {"user_id": str(staff.pk)}}))["total"] == 0
    for named in ({"login": "OPS"}, {"name": "Olga"}, {"surname": "Staff"}):
        page = await client.ok("user", "search", {"filter": named, "fields": ["login"]})
        assert page == {"total": 1, "data": [{"user_id": str(staff.pk), "login": "ops"}]}, named
    await client.close()


SEARCH_ERRORS = [
    ({"fields": ["password"]}, "unknown field password"),
    ({"fields": [1]}, "fields must be a list of field names"),
    ({"filter": {"password": "x"}}, "cannot filter on password"),
    ({"filter": {"created_time": 1}}, "cannot filter on created_time"),
    ({"filter": ["login"]}, "filter must be an object"),
    ({"filter": {"user_id": "abc"}}, "filter user_id is not a valid id"),
    ({"filter": {"name": 5}}, "filter name must be a string"),
    ({"filter": {"login": "x" * 256}}, "filter login must be a string of at most 255 characters"),
    ({"sort_by": ["password"]}, "cannot sort on password"),
    ({"sort_order": "up"}, 'sort_order must be "asc" or "desc"'),
    ({"size": -1}, "size must be a non-negative integer"),
    ({"size": "10"}, "size must be a non-negative integer"),
    ({"from": 1.5}, "from must be a non-negative integer"),
]


async def test_search_errors_answer_422_and_the_connection_keeps_working():
    client = await nk_connected(await db(make_user)())
    for data, error in SEARCH_ERRORS:
        assert await client.error("user", "search", data) == {"error": error, "code": 422}, data
    assert (await client.ok("user", "search", {}))["total"] == 1
    await client.close()


async def test_conversation_search_covers_only_the_users_conversations():
    alice, bob = await db(make_user)(), await db(make_user)()
    a, b = await nk_connected(alice), await nk_connected(bob)
    ids = {}
    for name in ("beta", "alpha", "gamma"):
        description = "the second" if name == "beta" else ""
        ids[name] = (await a.ok("conversation", "create", {"name": name, "description": description}))[
            "conversation_id"
        ]
    await b.ok("conversation", "create", {"name": "bob's"})
    page = await a.ok("conversation", "search", {"sort_by": ["name"], "size": 2, "fields": ["name"]})
    assert page == {
        "total": 3,
        "data": [
            {"conversation_id": ids["alpha"], "name": "alpha"},
            {"conversation_id": ids["beta"], "name": "beta"},
        ],
    }
    page = await a.ok("conversation", "search", {"sort_by": ["created_time"], "sort_order": "desc", "from": 1})
    assert [c["name"] for c in page["data"]] == ["alpha", "beta"] and page["total"] == 3
    page = await a.ok("conversation", "search", {"filter": {"name": "gamma", "owner_id": str(alice.pk)}})
    assert page["total"] == 1 and page["data"][0]["conversation_id"] == ids["gamma"]
    assert (await b.ok("conversation", "search", {}))["total"] == 1
    # every field of the object filters and sorts, as the document says
    page = await a.ok("conversation", "search", {"filter": {"description": "the second"}, "fields": ["name"]})
    assert page == {"total": 1, "data": [{"conversation_id": ids["beta"], "name": "beta"}]}
    page = await a.ok("conversation", "search", {"sort_by": ["description", "owner_id", "name"], "fields": ["name"]})
    assert [c["name"] for c in page["data"]] == ["alpha", "gamma", "beta"]  # "" before "the second"
    await a.close()
    await b.close()


async def test_message_search_covers_visible_messages_of_the_users_conversations():
    alice, bob = await db(make_user)(), await db(make_user)()
    a, b = await nk_connected(alice), await nk_connected(bob)
    cid = (await a.ok("conversation", "create", {"name": "G", "user_ids": [bob.pk]}))["conversation_id"]
    other = (await b.ok("conversation", "create", {"name": "B"}))["conversation_id"]
    mids = []
    for n in range(5):
        sender = a if n % 2 == 0 else b
        mids.append((await sender.ok("message", "create", {"conversation_id": cid, "message": f"m{n}"}))["message_id"])
    await b.ok("message", "create", {"conversation_id": other, "message": "private"})
    await a.ok("message", "delete", {"conversation_id": cid, "message_id": mids[4]})
    page = await a.ok(
        "message",
        "search",
        {"filter": {"conversation_id": cid}, "sort_by": ["created_time"], "sort_order": "desc", "size": 2},
    )
    assert page["total"] == 4
    assert [m["message"] for m in page["data"]] == ["m3", "m2"]
    page = await a.ok("message", "search", {"filter": {"user_id": str(bob.pk)}, "fields": ["message"]})
    assert page == {
        "total": 2,
        "data": [{"message_id": mids[1], "message": "m1"}, {"message_id": mids[3], "message": "m3"}],
    }
    assert (await a.ok("message", "search", {}))["total"] == 4  # not bob's private conversation
    assert (await b.ok("message", "search", {"sort_by": ["message_id"]}))["total"] == 5
    page = await a.ok("message", "search", {"sort_by": ["message"], "sort_order": "desc", "fields": ["message"]})
    assert [m["message"] for m in page["data"]] == ["m3", "m2", "m1", "m0"]
    page = await a.ok("message", "search", {"filter": {"message": "m2"}, "sort_by": ["user_id", "conversation_id"]})
    assert [m["message_id"] for m in page["data"]] == [mids[2]]
    await a.close()
    await b.close()


def _with_verified_phone(user: User, country_code: str, phone_number: str) -> User:
    """As a Hooligram sign-up leaves a user: a verified phone, which contacts find them by."""
    user.country_code, user.phone_number = country_code, phone_number
    user_phone_index(user)
    user.save(update_fields=["country_code", "phone_number", "phone_e164"])
    return user


async def test_a_phone_filter_finds_the_number_however_it_was_written():
    searcher = await db(make_user)("searcher", phone="+44 7700 900000")  # national numbers read as UK ones
    written = await db(make_user)("written", phone="+44 7700 900123")
    verified = await db(_with_verified_phone)(await db(make_user)("verified"), "44", "7700900456")
    await db(make_user)("other", phone="not a number")
    client = await nk_connected(searcher)
    for phone, login in [("07700 900123", "written"), ("+447700900456", "verified"), ("not a number", "other")]:
        page = await client.ok("user", "search", {"filter": {"phone": phone}, "fields": ["login"]})
        assert [u["login"] for u in page["data"]] == [login], phone
    assert (await client.ok("user", "search", {"filter": {"phone": "+44 7700 900999"}}))["total"] == 0
    assert written.phone_e164 == "+447700900123" and verified.phone_e164 == "+447700900456"
