"""Finding messages: across one's conversations or in the open one; a result opens its conversation
at the message, loading older history until it is there."""

import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.seed import seeding
from tests.browser.shell_pages import ShellPage

pytestmark = pytest.mark.browser

HISTORY = 70  # the page loads 30 at a time: the old match is two pages back


def _world(server_url: str, suffix: str) -> dict:
    """Fay talks to Gus (a long history) and to Gus and Hal in a group; Gus and Hal also talk alone."""
    with seeding(server_url) as seed:
        fay = seed.person(f"fay_{suffix}", "Fay")
        fay.leave()
        gus = seed.person(f"gus_{suffix}", "Gus")
        hal = seed.person(f"hal_{suffix}", "Hal")
        private = gus.private_with(fay)
        for n in range(1, HISTORY + 1):
            body = "Remember the LIGHTHOUSE at dawn?" if n == 3 else f"Small talk number {n:03d}"
            gus.send(private, body)
        group = hal.group_with("Coast trip", fay, gus)
        hal.send(group, "Lighthouse photos tomorrow")
        hal.send(hal.private_with(gus), "The lighthouse secret stays with us")
    return {"login": f"fay_{suffix}", "private": private, "group": group}


def test_a_result_opens_its_conversation_at_the_message(new_page, server_url):
    world = _world(server_url, secrets.token_hex(3))
    me = ShellPage(new_page())
    me.log_in(world["login"])
    me.expect_signed_in()

    results = me.search("lighthouse")
    dialog = me.search_dialog
    expect(dialog.get_by_role("radio", name="In all conversations")).to_be_checked()
    expect(dialog.get_by_role("status")).to_have_text("2 messages found.")
    expect(results).to_have_count(2)
    # Newest first, each with its conversation, who wrote it and the words found marked.
    expect(results.nth(0)).to_contain_text("Coast trip")
    expect(results.nth(0)).to_contain_text("Hal: Lighthouse photos tomorrow")
    expect(results.nth(1)).to_contain_text("Gus")
    expect(results.nth(1).locator("mark")).to_have_text("LIGHTHOUSE")

    results.nth(1).get_by_role("button").click()
    expect(dialog).to_be_hidden()
    me.expect_path(f"/c/{world['private']}")
    me.expect_conversation_open("Gus")
    found = me.message("Remember the LIGHTHOUSE at dawn?")
    expect(found).to_be_in_viewport()
    expect(found).to_be_focused()

    # With a conversation open, the search starts in it; the words stay.
    me.page.get_by_role("button", name="Search", exact=True).click()
    expect(dialog.get_by_label("Words to find")).to_be_focused()
    expect(dialog.get_by_label("Words to find")).to_have_value("lighthouse")
    expect(dialog.get_by_role("radio", name="In “Gus”")).to_be_checked()
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Remember the LIGHTHOUSE at dawn?")
    dialog.get_by_role("radio", name="In all conversations").check()
    expect(results).to_have_count(2)

    me.search("zebra")
    expect(dialog.get_by_role("status")).to_have_text("No messages found.")
    expect(results).to_have_count(0)
    me.page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(me.page.get_by_role("button", name="Search", exact=True)).to_be_focused()


def test_searching_from_a_phone_by_keyboard(new_page, server_url):
    world = _world(server_url, secrets.token_hex(3))
    me = ShellPage(new_page(viewport=PHONE))
    me.log_in(world["login"])
    me.expect_signed_in()
    me.page.get_by_role("button", name="Search", exact=True).focus()
    me.page.keyboard.press("Enter")
    me.page.keyboard.type("photos")  # searches as one types
    results = me.search_results
    expect(results).to_have_count(1)
    me.page.keyboard.press("Tab")  # the scope: all conversations
    me.page.keyboard.press("Tab")  # the result
    expect(results.first.get_by_role("button")).to_be_focused()
    me.page.keyboard.press("Enter")
    me.expect_conversation_open("Coast trip")
    expect(me.message("Lighthouse photos tomorrow")).to_be_focused()
    expect(me.page.get_by_role("navigation", name="Conversations")).to_be_hidden()
    # Escape closes the search and stays in the conversation (Escape again leaves it).
    me.page.get_by_role("button", name="Search", exact=True).click()
    expect(me.search_dialog.get_by_role("radio", name="In “Coast trip”")).to_be_checked()
    me.page.keyboard.press("Escape")
    expect(me.search_dialog).to_be_hidden()
    me.expect_conversation_open("Coast trip")
    me.page.go_back()
    expect(me.page.get_by_role("navigation", name="Conversations")).to_be_visible()
