"""A group started by searching people, used from a phone-sized screen and with the keyboard alone."""

import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.browser.pages import ChatPage, olga_pavel_and_rita

pytestmark = pytest.mark.browser


def test_group_conversation_on_a_phone_with_the_keyboard(new_page):
    logins, olga, pavel, rita = olga_pavel_and_rita(new_page, PHONE)

    # A group: pick two people from two searches.
    olga.start_conversation([logins["pavel"], logins["rita"]], group_name="Weekend plans")
    expect(olga.page.get_by_role("heading", name="Weekend plans")).to_be_visible()
    expect(olga.page.get_by_text("3 participants")).to_be_visible()
    olga.send("Hike on Saturday?")

    # On the phone the list and the conversation take turns.
    conversations = rita.page.get_by_role("navigation", name="Conversations")
    expect(rita.conversation("Weekend plans")).to_contain_text("Hike on Saturday?")
    expect(rita.page.get_by_role("main", name="Conversation")).to_be_hidden()
    # Keyboard only: focus the conversation, Enter opens it, the message box has the focus.
    rita.conversation("Weekend plans").get_by_role("button").focus()
    rita.page.keyboard.press("Enter")
    expect(rita.page.get_by_role("heading", name="Weekend plans")).to_be_visible()
    expect(conversations).to_be_hidden()
    expect(rita.composer).to_be_focused()
    expect(rita.message("Hike on Saturday?")).to_contain_text("Olga")  # sender named in a group
    rita.page.keyboard.type("Yes!")
    rita.page.keyboard.press("Shift+Enter")
    rita.page.keyboard.type("Count me in.")
    rita.page.keyboard.press("Enter")
    expect(rita.composer).to_have_value("")
    expect(olga.message("Count me in.").locator(".message-body")).to_have_text("Yes!\nCount me in.")
    expect(pavel.conversation("Weekend plans")).to_contain_text("Count me in.")
    expect(pavel.conversation("Weekend plans").locator(".unread-badge")).to_contain_text("2 unread messages")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    rita.page.screenshot(path=SCREENSHOTS / "conversation-phone.png")

    # Back to the list (the button, then Escape), where the newest message shows.
    rita.page.get_by_role("button", name="Back to conversations").click()
    expect(conversations).to_be_visible()
    expect(rita.conversation("Weekend plans")).to_contain_text("You: Yes!")
    expect(rita.conversation("Weekend plans").get_by_role("button")).to_be_focused()
    rita.page.keyboard.press("Enter")
    expect(conversations).to_be_hidden()
    rita.page.keyboard.press("Escape")
    expect(conversations).to_be_visible()


def test_new_conversation_dialog_explains_what_is_missing(new_page):
    suffix = secrets.token_hex(3)
    me = ChatPage(new_page())
    me.sign_up(f"lonely_{suffix}")
    me.page.get_by_role("button", name="New conversation").click()
    dialog = me.page.get_by_role("dialog", name="New conversation")
    expect(dialog.get_by_label("Search people")).to_be_focused()
    dialog.get_by_label("Search people").fill(f"nobody_{suffix}")
    expect(dialog.get_by_text("Nobody found")).to_be_visible()
    dialog.get_by_role("button", name="Start conversation").click()
    expect(dialog.get_by_role("alert")).to_have_text("Choose one person for a private conversation.")
    me.page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(me.page.get_by_text("No conversations yet")).to_be_visible()
