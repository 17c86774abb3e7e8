"""Replies with a quote of the message they answer (a click on it goes there, loading history if
need be), and reactions from a small picker: counts, one's own pressed, taken back by pressing
again, and live on the other side; all of it still there after a reload."""

import re
import secrets

import pytest
from playwright.sync_api import expect
from websockets.sync.client import connect

from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.browser.message_pages import MessagesPage, alice_and_bob, alice_wrote_to_bob
from tests.browser.pages import PASSWORD
from tests.browser.seed import SamaPerson

pytestmark = pytest.mark.browser

OLD_MESSAGES = 45  # more than the first page of 30


def test_reply_and_react_live_and_after_a_reload(new_page):
    suffix, alice, bob = alice_and_bob(new_page, PHONE)
    alice.start_conversation([f"bob_{suffix}"])
    alice.send("Shall we meet at noon?")
    alice.send("Or at one?")
    bob.open_conversation("Alice")

    # Bob answers the first question: the bar says what he answers; Escape would drop it.
    bob.reply_to("Shall we meet at noon?")
    expect(bob.page.get_by_text("Replying to Alice")).to_contain_text("Shall we meet at noon?")
    bob.composer.fill("Noon works for me")
    bob.composer.press("Enter")
    expect(bob.page.get_by_text("Replying to")).to_be_hidden()
    expect(bob.quote_in("Noon works for me")).to_have_text(re.compile("Alice.*Shall we meet at noon\\?"))

    # Alice sees the reply live with its quote; the quote takes her to the question.
    expect(alice.quote_in("Noon works for me")).to_have_text(re.compile("You.*Shall we meet at noon\\?"))
    alice.quote_in("Noon works for me").click()
    expect(alice.message_saying("Shall we meet at noon?")).to_be_focused()

    # Alice reacts from the keyboard: React, arrows to the heart, Enter.
    answer = alice.message_saying("Noon works for me")
    answer.get_by_role("button", name="React").focus()
    alice.page.keyboard.press("Enter")
    picker = answer.get_by_role("group", name="Choose a reaction")
    expect(picker.get_by_role("button", name="Thumbs up")).to_be_focused()
    alice.page.keyboard.press("ArrowRight")
    expect(picker.get_by_role("button", name="Heart")).to_be_focused()
    alice.page.keyboard.press("Enter")
    expect(picker).to_be_hidden()
    expect(answer.get_by_role("button", name="React")).to_be_focused()
    expect(alice.reaction("Noon works for me", "Heart")).to_have_accessible_name("Heart: 1")
    expect(alice.reaction("Noon works for me", "Heart")).to_have_attribute("aria-pressed", "true")

    # Bob sees it live, not as his own; he adds his, and both see two.
    bobs_heart = bob.reaction("Noon works for me", "Heart")
    expect(bobs_heart).to_have_accessible_name("Heart: 1")
    expect(bobs_heart).to_have_attribute("aria-pressed", "false")
    bobs_heart.click()
    expect(bobs_heart).to_have_accessible_name("Heart: 2")
    expect(bobs_heart).to_have_attribute("aria-pressed", "true")
    expect(alice.reaction("Noon works for me", "Heart")).to_have_accessible_name("Heart: 2")

    # Bob also laughs at the second question, from the picker.
    bob.react("Or at one?", "Laughing")
    expect(alice.reaction("Or at one?", "Laughing")).to_have_accessible_name("Laughing: 1")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    bob.page.screenshot(path=SCREENSHOTS / "reply-reactions-phone-dark.png")

    # Alice takes hers back by pressing it again.
    alice.reaction("Noon works for me", "Heart").click()
    expect(alice.reaction("Noon works for me", "Heart")).to_have_accessible_name("Heart: 1")
    expect(alice.reaction("Noon works for me", "Heart")).to_have_attribute("aria-pressed", "false")
    expect(bobs_heart).to_have_accessible_name("Heart: 1")
    expect(bobs_heart).to_have_attribute("aria-pressed", "true")
    alice.page.screenshot(path=SCREENSHOTS / "reply-reactions-desktop-light.png")

    # After a reload the history has the quote and the reactions, Bob's own still pressed.
    bob.page.reload()  # signed in again, the conversation its address names open (on a phone, without the list)
    expect(bob.page.get_by_role("heading", name="Alice", exact=True)).to_be_visible()
    expect(bob.quote_in("Noon works for me")).to_have_text(re.compile("Shall we meet at noon\\?"))
    expect(bob.reaction("Noon works for me", "Heart")).to_have_accessible_name("Heart: 1")
    expect(bob.reaction("Noon works for me", "Heart")).to_have_attribute("aria-pressed", "true")
    expect(bob.reaction("Or at one?", "Laughing")).to_have_attribute("aria-pressed", "true")


def test_escape_drops_the_reply(new_page):
    suffix = secrets.token_hex(3)
    alice, bob = MessagesPage(new_page()), MessagesPage(new_page())
    alice.sign_up(f"alice_{suffix}")
    bob.sign_up(f"bob_{suffix}")
    alice.start_conversation([f"bob_{suffix}"])
    alice.send("Any news?")
    bob.open_conversation(f"alice_{suffix}")
    bob.reply_to("Any news?")
    bob.page.keyboard.press("Escape")
    expect(bob.page.get_by_text("Replying to")).to_be_hidden()
    expect(bob.composer).to_be_focused()
    bob.send("None yet")
    expect(bob.quote_in("None yet")).to_have_count(0)
    expect(alice.quote_in("None yet")).to_have_count(0)


def test_a_quote_of_an_old_message_loads_history_back_to_it(new_page, server_url):
    suffix = secrets.token_hex(3)
    writer, reader = f"writer_{suffix}", f"reader_{suffix}"
    with connect(server_url.replace("http://", "ws://") + "/", open_timeout=5) as socket:
        seeder = SamaPerson(socket)
        reader_id = seeder.request("user_create", {"login": reader, "password": PASSWORD})["user"]["_id"]
        seeder.request("user_create", {"login": writer, "password": PASSWORD})
        seeder.request("user_login", {"login": writer, "password": PASSWORD, "device_id": "seeder"})
        cid = seeder.request("conversation_create", {"type": "u", "participants": [reader_id]})["conversation"]["_id"]
        first = seeder.send(cid, "Old message 001")
        for n in range(2, OLD_MESSAGES + 1):
            seeder.send(cid, f"Old message {n:03d}")
        seeder.send(cid, "Back to the very first one", replied_message_id=first["server_mid"])

    me = MessagesPage(new_page())
    me.log_in(reader)
    me.expect_signed_in()
    me.open_conversation(writer)
    # The first page holds the reply but not the message it answers: the quote is loaded for it.
    expect(me.quote_in("Back to the very first one")).to_have_text(re.compile("Old message 001"))
    expect(me.message_saying("Old message 001")).to_have_count(0)
    me.quote_in("Back to the very first one").click()
    original = me.message_saying("Old message 001")
    expect(original).to_be_focused()
    expect(original).to_be_in_viewport()
    expect(me.log.get_by_role("listitem")).to_have_count(OLD_MESSAGES + 1)


def test_a_quote_follows_edits_and_the_deletion_of_what_it_quotes(new_page):
    alice, bob = alice_wrote_to_bob(new_page, "Dinner at 7")
    bob.reply_to("Dinner at 7")
    bob.send("See you there")
    expect(alice.quote_in("See you there")).to_have_text(re.compile("Dinner at 7"))

    alice.edit("Dinner at 7", "Dinner at 8")
    expect(bob.quote_in("See you there")).to_have_text(re.compile("Dinner at 8"))
    alice.delete("Dinner at 8")
    expect(bob.quote_in("See you there")).to_have_text(re.compile("Message deleted"))
    expect(bob.quote_in("See you there")).to_be_disabled()
    expect(alice.quote_in("See you there")).to_have_text(re.compile("Message deleted"))
