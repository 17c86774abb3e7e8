"""The user directory's search (`accounts.selectors.user_search`, behind SAMA's and Chats REST's
user search): staff accounts are listed only to a search that names them, by their whole login,
first name or last name in any case; a part of it, an e-mail or an empty keyword does not."""

import pytest

from accounts.models import User
from accounts.selectors import user_search
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> dict[str, User]:
    staff = make_user("admin_ops", first_name="Ada", last_name="Lovelace", email="ada@example.org")
    User.objects.filter(pk=staff.pk).update(is_staff=True)
    root = make_user("rooter", first_name="Ada", last_name="Root")
    User.objects.filter(pk=root.pk).update(is_superuser=True)
    return {
        "staff": staff,
        "root": root,
        "member": make_user("adam_user", first_name="Adam", last_name="Lovelace-Smith"),
        "searcher": make_user("searcher"),
    }


def logins(keyword: str, people: dict[str, User]) -> list[str]:
    return [u.username for u in user_search(keyword=keyword, ignore_ids=[people["searcher"].pk])]


def test_staff_are_not_listed_by_an_empty_or_partial_keyword(people):
    assert logins("", people) == ["adam_user"]
    assert logins("ad", people) == ["adam_user"]
    assert logins("admin", people) == []  # a part of the login
    assert logins("admin_op", people) == []
    assert logins("lovelac", people) == ["adam_user"]
    assert logins("ada@example.org", people) == []  # an e-mail is not a name


def test_staff_are_listed_when_the_keyword_is_their_whole_login_or_name(people):
    assert logins("admin_ops", people) == ["admin_ops"]
    assert logins("ADMIN_OPS", people) == ["admin_ops"]
    assert logins("ada", people) == ["adam_user", "admin_ops", "rooter"]  # both are first-named Ada
    assert logins("lovelace", people) == ["adam_user", "admin_ops"]  # all of the staff's last name
    assert logins("Root", people) == ["rooter"]
    assert logins("rooter", people) == ["rooter"]


def test_other_users_are_found_by_any_part_as_before(people):
    assert logins("am_us", people) == ["adam_user"]
    assert logins("smith", people) == ["adam_user"]
