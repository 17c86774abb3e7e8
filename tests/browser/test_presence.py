"""The other person's online status, and a page that still works where the server lacks it."""

import json
import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.pages import ChatPage

pytestmark = pytest.mark.browser


def test_online_then_last_seen_when_the_other_person_leaves(new_page):
    suffix = secrets.token_hex(3)
    alice, bob = ChatPage(new_page()), ChatPage(new_page())
    alice.sign_up(f"alice_{suffix}")
    bob.sign_up(f"bob_{suffix}")
    alice.start_conversation([f"bob_{suffix}"])
    status = alice.page.locator("#chat-subtitle")
    expect(status).to_have_text("online")
    bob.page.close()
    expect(status).to_have_text("last seen just now")


def _without_last_activity(ws) -> None:
    """Pass frames through, but answer user_last_activity* as a server without it does."""
    server = ws.connect_to_server()

    def from_page(text: str) -> None:
        request = json.loads(text).get("request", {})
        if any(name.startswith("user_last_activity") for name in request):
            error = {"status": 422, "message": "Unknown request"}
            ws.send(json.dumps({"response": {"id": request["id"], "error": error}}))
        else:
            server.send(text)

    ws.on_message(from_page)


def test_a_server_without_last_activity_only_loses_the_status(new_page):
    suffix = secrets.token_hex(3)
    alice = ChatPage(new_page(before_load=lambda page: page.route_web_socket("/", _without_last_activity)))
    bob = ChatPage(new_page())
    alice.sign_up(f"alice_{suffix}")
    bob.sign_up(f"bob_{suffix}")
    alice.start_conversation([f"bob_{suffix}"])
    expect(alice.page.locator("body")).to_have_attribute("data-presence", "unavailable")
    expect(alice.page.locator("#chat-subtitle")).to_have_text("")
    alice.send("Still works")
    bob.open_conversation(f"alice_{suffix}")
    expect(bob.message("Still works")).to_be_visible()
    expect(bob.page.locator("#chat-subtitle")).to_have_text("online")
