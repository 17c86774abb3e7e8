"""A dropped WebSocket: the page says so, reconnects, catches up and sends what it could not."""

import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.pages import ChatPage

pytestmark = pytest.mark.browser


class Cable:
    """Every WebSocket of one page, passed through to the server until `cut`; while cut, reconnect
    attempts are refused."""

    def __init__(self) -> None:
        self.cut = False
        self.live = []

    def route(self, ws) -> None:
        if self.cut:
            ws.close()
            return
        server = ws.connect_to_server()
        self.live.append((ws, server))

    def unplug(self) -> None:
        self.cut = True
        for ws, server in self.live:
            server.close()
            ws.close()
        self.live.clear()

    def plug(self) -> None:
        self.cut = False


def test_the_page_reconnects_catches_up_and_sends_what_waited(new_page):
    suffix = secrets.token_hex(3)
    cable = Cable()
    alice = ChatPage(new_page())
    bob = ChatPage(new_page(before_load=lambda page: page.route_web_socket("/", cable.route)))
    alice.sign_up(f"alice_{suffix}")
    bob.sign_up(f"bob_{suffix}")
    alice.start_conversation([f"bob_{suffix}"])
    alice.send("Before the outage")
    bob.open_conversation(f"alice_{suffix}")
    expect(bob.message("Before the outage")).to_be_visible()

    cable.unplug()
    expect(bob.page.get_by_role("status")).to_have_text("Connection lost. Reconnecting…")
    alice.send("During the outage")
    bob.composer.fill("Written offline")
    bob.composer.press("Enter")
    expect(bob.status_of("Written offline")).to_have_attribute("data-status", "failed")

    cable.plug()
    expect(bob.page.get_by_text("Connection lost. Reconnecting…")).to_be_hidden(timeout=15_000)
    expect(bob.message("During the outage")).to_be_visible()
    expect(alice.message("Written offline")).to_be_visible()
    expect(bob.status_of("Written offline")).to_have_attribute("data-status", "read")
    expect(bob.page.get_by_role("log", name="Messages").get_by_role("listitem")).to_have_count(3)
