"""Users are found by index, whatever case a login or e-mail is written in: each statement that a
password login, an admin sign-in, a Hooligram group creation, a new phone's login or a password
reset runs to find them reads a few buffers, not the whole users table (Django's `iexact`, which
no index served, read 86 to 101 here and grows with every user)."""

import pytest
from django.db import connection

from accounts import password_reset, phone_owners, services, verification
from accounts.models import User
from tests.helpers import PASSWORD, buffers_of_each_select

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

# Reading every one of 5,000 users takes 86 to 101 buffers; by index, under ten.
BY_INDEX = 20


@pytest.fixture
def many_users():
    """5,000 users with logins, e-mails and verified phones, their statistics taken."""
    if connection.vendor != "postgresql":
        pytest.skip("the planner in question is PostgreSQL's (run with DATABASE_URL)")
    User.objects.bulk_create(
        User(
            username=f"Member{n}",
            email=f"member{n}@example.com",
            password="!",
            country_code="65",
            phone_number=f"9{n:07d}",
            phone_e164=f"+659{n:07d}",
        )
        for n in range(5_000)
    )
    services.user_create(login="Someone", password=PASSWORD, address=None, email="Someone@Example.com")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user")


def test_a_password_login_finds_its_user_by_index(many_users):
    found = []
    buffers = buffers_of_each_select(
        lambda: found.append(services.user_authenticate(login="SOMEONE", password=PASSWORD, address=None))
    )
    assert found[0].username == "Someone"
    assert max(buffers) < BY_INDEX


def test_the_admins_sign_in_finds_its_user_by_index(many_users):
    """Django's authentication backend looks the login up through the manager's natural key."""
    found = []
    buffers = buffers_of_each_select(lambda: found.append(User.objects.get_by_natural_key("someone")))
    assert found[0].username == "Someone"
    assert max(buffers) < BY_INDEX


def test_a_registration_checks_the_login_by_index(many_users):
    buffers = buffers_of_each_select(lambda: services.user_create(login="Newcomer", password=PASSWORD, address=None))
    assert max(buffers) < BY_INDEX


def test_group_members_are_found_by_sid_by_index(many_users):
    """A Hooligram group creation names its members by sid: phones and logins alike."""
    sids = ["65.90004790", "65.90000001", "someone", "65.90001234"]
    found = {}
    buffers = buffers_of_each_select(lambda: found.update(phone_owners.users_by_sids(sids)))
    assert sorted(user.username for user in found.values()) == ["Member1", "Member1234", "Member4790", "Someone"]
    assert max(buffers) < BY_INDEX


def test_a_new_phones_login_is_checked_by_index(many_users):
    login = []
    buffers = buffers_of_each_select(lambda: login.append(verification._free_login("65", "80000001")))
    assert login == ["65.80000001"]
    assert max(buffers) < BY_INDEX


def test_a_password_reset_finds_the_accounts_of_an_email_by_index(many_users):
    buffers = buffers_of_each_select(
        lambda: password_reset.password_reset_code_send(email="SOMEONE@example.com", address=None)
    )
    assert max(buffers) < BY_INDEX
