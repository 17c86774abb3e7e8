"""Your profile (at /profile): change the name others see and the password (SAMA `user_edit`), and
log this device out while the others stay signed in."""

import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.pages import PASSWORD
from tests.browser.shell_pages import ShellPage

pytestmark = pytest.mark.browser


def test_changing_ones_name_shows_everywhere(new_page):
    suffix = secrets.token_hex(3)
    login = f"dora_{suffix}"
    me = ShellPage(new_page())
    me.sign_up(login)
    expect(me.page.get_by_text(f"Signed in as {login}")).to_be_visible()

    me.open_profile()
    me.expect_path("/profile")
    expect(me.profile).to_contain_text(f"Signed in as {login}")
    form = me.profile.get_by_role("form", name="Name")
    expect(form.get_by_label("First name")).to_have_value("")
    form.get_by_label("First name").fill("Dora")
    form.get_by_label("Last name").fill("  Márquez ")
    form.get_by_role("button", name="Save name").click()
    expect(form.get_by_role("status")).to_have_text("Name saved.")
    expect(me.page.get_by_text("Signed in as Dora Márquez")).to_be_visible()

    # The server kept it: a reload shows the profile again, filled in.
    me.page.reload()
    expect(me.profile.get_by_role("heading", name="Your profile")).to_be_visible()
    expect(form.get_by_label("First name")).to_have_value("Dora")
    expect(form.get_by_label("Last name")).to_have_value("Márquez")

    # Someone who starts a conversation with her sees the new name.
    friend = ShellPage(new_page())
    friend.sign_up(f"friend_{suffix}")
    friend.start_conversation([login])
    friend.expect_conversation_open("Dora Márquez")

    # Back from the profile: to the list (the first entry of this tab's history).
    me.page.get_by_role("button", name="Back to conversations").click()
    me.expect_path("/")
    expect(me.profile).to_be_hidden()
    expect(me.page.get_by_text("Choose a conversation, or start a new one.")).to_be_visible()


def test_changing_the_password_then_logging_out_of_this_device_only(new_page):
    login = f"ezra_{secrets.token_hex(3)}"
    new_password = "a-new-pass-2"
    phone = ShellPage(new_page(viewport=PHONE))
    phone.sign_up(login)
    laptop = ShellPage(new_page())
    laptop.log_in(login)
    laptop.expect_signed_in()

    phone.open_profile()
    expect(phone.page.get_by_role("navigation", name="Conversations")).to_be_hidden()
    form = phone.profile.get_by_role("form", name="Password")
    phone.change_password("not my password", new_password)
    expect(form.get_by_role("alert")).to_have_text("Incorrect current password")
    phone.change_password(PASSWORD, new_password, repeat="a-new-pass-3")
    expect(form.get_by_role("alert")).to_have_text("The new passwords do not match.")
    phone.change_password(PASSWORD, "abc")
    expect(form.get_by_role("alert")).to_contain_text("too short")
    phone.change_password(PASSWORD, new_password)
    expect(form.get_by_role("status")).to_have_text("Password changed.")
    expect(form.get_by_role("alert")).to_have_text("")
    expect(form.get_by_label("Current password")).to_have_value("")

    phone.profile.get_by_role("button", name="Log out of this device").click()
    expect(phone.page.get_by_role("form", name="Log in")).to_be_visible()
    phone.expect_path("/")
    phone.page.reload()
    expect(phone.page.get_by_role("form", name="Log in")).to_be_visible()

    # The laptop is still signed in; the old password no longer opens the account, the new one does.
    laptop.page.reload()
    laptop.expect_signed_in()
    phone.log_in(login, PASSWORD)
    expect(phone.page.get_by_role("form", name="Log in").get_by_role("alert")).to_have_text(
        "Incorrect login or password"
    )
    phone.log_in(login, new_password)
    phone.expect_signed_in()
