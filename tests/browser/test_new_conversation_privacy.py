"""Finding people for a new conversation: nothing is listed until something is typed, and staff
accounts only when the search names them (the server's rule: tests/accounts/test_user_search.py)."""

import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.conversation_pages import make_staff
from tests.browser.pages import ChatPage

pytestmark = pytest.mark.browser


def test_the_search_lists_nobody_until_typed_and_staff_only_by_name(new_page, tmp_path_factory):
    suffix = secrets.token_hex(3)
    staff_login, member_login = f"crew_{suffix}", f"nina_{suffix}"
    for login, first_name in ((staff_login, "Quentin"), (member_login, "Nina")):
        ChatPage(new_page()).sign_up(login, first_name=first_name)
    make_staff(tmp_path_factory, staff_login)
    me = ChatPage(new_page())
    me.sign_up(f"searcher_{suffix}")

    me.page.get_by_role("button", name="New conversation").click()
    dialog = me.page.get_by_role("dialog", name="New conversation")
    search = dialog.get_by_label("Search people")
    people = dialog.get_by_role("group", name="People")
    # An empty box lists nobody: the dialog says what to do instead.
    expect(dialog.get_by_text("Type a name or login to find people.")).to_be_visible()
    expect(people.get_by_role("radio")).to_have_count(0)

    # A part of their logins finds the member, not the staff account.
    search.fill(suffix)
    expect(dialog.get_by_text("1 found.")).to_be_visible()
    expect(people.get_by_role("radio")).to_have_count(1)
    expect(people.get_by_label(member_login)).to_be_visible()
    search.fill("crew_")
    expect(dialog.get_by_text("Nobody found.")).to_be_visible()
    # Their whole login or name finds the staff account.
    search.fill(staff_login.upper())
    expect(people.get_by_label(staff_login)).to_be_visible()
    search.fill("quentin")
    expect(people.get_by_label(staff_login)).to_be_visible()
    people.get_by_label(staff_login).check()
    expect(dialog.get_by_text("Selected: Quentin")).to_be_visible()

    # Emptying the box empties the list again; the person picked stays picked.
    search.fill("")
    expect(people.get_by_role("radio")).to_have_count(0)
    expect(dialog.get_by_text("Selected: Quentin")).to_be_visible()
    dialog.get_by_role("button", name="Start conversation").click()
    expect(dialog).to_be_hidden()
    expect(me.page.get_by_role("heading", name="Quentin", exact=True)).to_be_visible()
