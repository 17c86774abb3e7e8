"""History: the newest page first, older pages as the reader scrolls back, read marks after a reload."""

import secrets

import pytest
from playwright.sync_api import expect
from websockets.sync.client import connect

from tests.browser.pages import PASSWORD, ChatPage
from tests.browser.seed import SamaPerson

pytestmark = pytest.mark.browser

MESSAGES = 75  # the page loads 30 at a time: three pages


def test_scrolling_back_loads_older_messages_once_each(new_page, server_url):
    with connect(server_url.replace("http://", "ws://") + "/", open_timeout=5) as socket:
        _scroll_back(new_page, SamaPerson(socket))


def _scroll_back(new_page, seeder: SamaPerson) -> None:
    suffix = secrets.token_hex(3)
    writer, reader = f"writer_{suffix}", f"reader_{suffix}"
    reader_id = seeder.request("user_create", {"login": reader, "password": PASSWORD})["user"]["_id"]
    seeder.request("user_create", {"login": writer, "password": PASSWORD})
    seeder.request("user_login", {"login": writer, "password": PASSWORD, "device_id": "seeder"})
    cid = seeder.request("conversation_create", {"type": "u", "participants": [reader_id]})["conversation"]["_id"]
    for n in range(1, MESSAGES + 1):
        seeder.send(cid, f"Message number {n:03d}")

    me = ChatPage(new_page())
    me.log_in(reader)
    me.expect_signed_in()
    expect(me.conversation(writer).locator(".unread-badge")).to_contain_text(f"{MESSAGES} unread messages")
    me.open_conversation(writer)
    items = me.page.get_by_role("log", name="Messages").get_by_role("listitem")
    expect(me.message("Message number 075")).to_be_visible()
    expect(items).to_have_count(30)
    expect(me.page.get_by_role("button", name="Load older messages")).to_be_visible()

    # Pages of 30, each asked for with updated_at.lt: 46-75, then 17-45, then 1-16.
    scroller = me.page.get_by_role("region", name="Message history")
    for oldest in (17, 1):
        scroller.evaluate("element => { element.scrollTop = 0; }")
        expect(me.message(f"Message number {oldest:03d}")).to_have_count(1)
    expect(items).to_have_count(MESSAGES)
    expect(me.page.get_by_text("This is the beginning of the conversation.")).to_be_visible()
    expect(me.page.get_by_role("button", name="Load older messages")).to_be_hidden()
    bodies = [text.strip() for text in me.page.locator("#message-list .message-body").all_inner_texts()]
    assert bodies == [f"Message number {n:03d}" for n in range(1, MESSAGES + 1)]

    # The writer's history shows the read marks after the reader opened the conversation.
    listed = seeder.request("message_list", {"cid": cid, "limit": 3})["messages"]
    assert [m["status"] for m in listed] == ["read", "read", "read"]


def test_read_marks_survive_a_reload(new_page):
    suffix = secrets.token_hex(3)
    sender, recipient = ChatPage(new_page()), ChatPage(new_page())
    sender.sign_up(f"sender_{suffix}")
    recipient.sign_up(f"recipient_{suffix}")
    sender.start_conversation([f"recipient_{suffix}"])
    sender.send("Please read me")
    sender.send("And me, later")
    recipient.open_conversation(f"sender_{suffix}")
    expect(sender.status_of("And me, later")).to_have_attribute("data-status", "read")

    sender.page.reload()
    sender.expect_signed_in()
    sender.open_conversation(f"recipient_{suffix}")
    expect(sender.status_of("Please read me")).to_have_attribute("data-status", "read")
    expect(sender.status_of("And me, later")).to_have_attribute("data-status", "read")
