"""Matching contacts to users is one query, whatever the number of users, and a lookup on the
users' e-mail and phone indexes rather than a scan of every user."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.contacts import contact_add, contacts_matched
from accounts.models import Contact, User
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def _book(users: int) -> list[Contact]:
    """An owner's book of three contacts, and `users` users of whom the first three are in it."""
    owner = make_user(phone="+44 7700 800000")  # a UK user
    User.objects.bulk_create(
        User(username=f"member{n}", email=f"member{n}@example.com", phone_e164=f"+4477009{n:05d}") for n in range(users)
    )
    for n in range(3):
        contact_add(owner, data={"first_name": f"Member {n}", "phone": [{"value": f"07700 9{n:05d}"}]})
    contact_add(owner, data={"first_name": "By mail", "email": [{"value": "MEMBER1@example.com"}]})
    return list(Contact.objects.filter(owner=owner).order_by("pk"))


@pytest.mark.parametrize("users", [3, 300])
def test_a_match_is_one_query_whatever_the_number_of_users(django_assert_num_queries, users):
    book = _book(users)
    with django_assert_num_queries(1):
        views = contacts_matched(book)
    members = dict(User.objects.filter(username__startswith="member").values_list("username", "pk"))
    assert [v.phone[0].get("matched_user_id") for v in views[:3]] == [members[f"member{n}"] for n in range(3)]
    assert views[3].email == [{"type": "", "value": "MEMBER1@example.com", "matched_user_id": members["member1"]}]


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Full scans off, so the plan shows whether an index can answer: a query no index
            # serves still scans, whatever the table's size or statistics.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")  # a walk along the primary key too
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_the_match_looks_users_up_by_index():
    book = _book(3)
    with CaptureQueriesContext(connection) as captured:
        contacts_matched(book)
    (query,) = captured.captured_queries
    plan = _plan(query["sql"])
    if connection.vendor == "postgresql":
        assert "Seq Scan" not in plan, plan
        assert "Index Scan on accounts_user_email_ci" in plan, plan
        assert "Index Cond: ((phone_e164)::text = ANY" in plan, plan
    else:
        assert "SCAN accounts_user" not in plan, plan
        assert "USING INDEX accounts_user_email_ci" in plan, plan
        assert "USING INDEX accounts_user_phone_e164" in plan, plan
