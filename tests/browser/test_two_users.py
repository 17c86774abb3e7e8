"""Two people, two browser contexts: sign up, start a conversation and chat live both ways."""

import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.pages import ChatPage

pytestmark = pytest.mark.browser


def test_two_people_chat_live_with_edits_deletes_read_marks_and_typing(new_page):
    suffix = secrets.token_hex(3)
    alice_login, bob_login = f"alice_{suffix}", f"bob_{suffix}"
    alice, bob = ChatPage(new_page()), ChatPage(new_page())
    alice.sign_up(alice_login, first_name="Alice")
    bob.sign_up(bob_login, first_name="Bob")

    alice.start_conversation([bob_login])
    expect(alice.page.get_by_role("heading", name="Bob", exact=True)).to_be_visible()
    alice.send("Hello Bob!")
    expect(alice.status_of("Hello Bob!")).to_have_attribute("data-status", "sent")

    # Bob was not looking: the conversation appears in his list with an unread count and the message.
    in_bobs_list = bob.conversation("Alice")
    expect(in_bobs_list).to_contain_text("Hello Bob!")
    expect(in_bobs_list.locator(".unread-badge")).to_contain_text("1 unread message")

    # Bob opens it: the count goes, and Alice sees her message read.
    bob.open_conversation("Alice")
    expect(bob.message("Hello Bob!")).to_be_visible()
    expect(in_bobs_list.locator(".unread-badge")).to_have_count(0)
    expect(alice.status_of("Hello Bob!")).to_have_attribute("data-status", "read")

    # Bob types: Alice sees it; his message arrives live and ends the indicator.
    bob.composer.press_sequentially("Hi Al")
    expect(alice.page.get_by_text("Bob is typing…")).to_be_visible()
    bob.composer.fill("Hi Alice, all good here.")
    bob.composer.press("Enter")
    expect(alice.message("Hi Alice, all good here.")).to_be_visible()
    expect(alice.page.get_by_text("Bob is typing…")).to_be_hidden()
    # Alice has the conversation open, so Bob's message is read at once.
    expect(bob.status_of("Hi Alice, all good here.")).to_have_attribute("data-status", "read")
    expect(alice.conversation("Bob")).to_contain_text("Hi Alice, all good here.")

    # Edits and deletes reach the other side live.
    alice.edit("Hello Bob!", "Hello Bob, edited!")
    expect(bob.message("Hello Bob, edited!")).to_contain_text("edited")
    expect(bob.message("Hello Bob!")).to_have_count(0)
    alice.send("This one is a mistake")
    expect(bob.message("This one is a mistake")).to_be_visible()
    alice.delete("This one is a mistake")
    expect(bob.message("This one is a mistake")).to_have_count(0)
    expect(bob.conversation("Alice")).not_to_contain_text("This one is a mistake")
    # Bob cannot edit or delete Alice's messages (he may reply and react).
    alices = bob.message("Hello Bob, edited!")
    expect(alices.get_by_role("button", name="Reply")).to_have_count(1)
    expect(alices.get_by_role("button", name="Edit")).to_have_count(0)
    expect(alices.get_by_role("button", name="Delete")).to_have_count(0)

    bob.send("See you tomorrow, bye")
    expect(alice.message("See you tomorrow, bye")).to_be_visible()

    # The other person's online status (user_last_activity_subscribe; tests/browser/test_presence.py).
    expect(alice.page.locator("#chat-subtitle")).to_have_text("online")

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    alice.page.screenshot(path=SCREENSHOTS / "conversation.png")
