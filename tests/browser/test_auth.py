"""Signing up, in and out from the page: errors in words, and a reload keeps one signed in."""

import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.pages import ChatPage

pytestmark = pytest.mark.browser


def test_sign_up_log_in_reload_and_log_out(new_page):
    login = f"carmen_{secrets.token_hex(3)}"
    me = ChatPage(new_page())
    expect(me.page).to_have_title("Chat")

    signup = me.page.get_by_role("form", name="Sign up")
    signup.get_by_label("Login").fill(login)
    signup.get_by_label("Password").fill("abc")
    signup.get_by_role("button", name="Sign up").click()
    expect(signup.get_by_role("alert")).to_contain_text("too short")
    me.sign_up(login)
    expect(me.page.get_by_text(f"Signed in as {login}")).to_be_visible()

    # The HttpOnly refresh cookie keeps this device signed in across a reload.
    me.page.reload()
    me.expect_signed_in()
    me.page.get_by_role("button", name="Log out").click()
    expect(me.page.get_by_role("form", name="Log in")).to_be_visible()
    expect(me.page.get_by_role("textbox", name="Login").first).to_be_focused()
    me.page.reload()
    expect(me.page.get_by_role("form", name="Log in")).to_be_visible()

    me.log_in(login, "wrong password")
    expect(me.page.get_by_role("form", name="Log in").get_by_role("alert")).to_have_text("Incorrect login or password")
    me.log_in(login.upper())  # logins are case-insensitive
    me.expect_signed_in()


def test_a_taken_login_is_refused_in_words(new_page):
    login = f"dup_{secrets.token_hex(3)}"
    first = ChatPage(new_page())
    first.sign_up(login)
    second = ChatPage(new_page())
    signup = second.page.get_by_role("form", name="Sign up")
    signup.get_by_label("Login").fill(login)
    signup.get_by_label("Password").fill("another-pass")
    signup.get_by_role("button", name="Sign up").click()
    expect(signup.get_by_role("alert")).to_have_text("User already exists")
