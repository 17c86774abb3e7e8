"""The page's shell as a person uses it: its addresses (additions to `pages.ChatPage`, found by
role and label like the rest)."""

import re

from playwright.sync_api import expect

from tests.browser.pages import ChatPage


class ShellPage(ChatPage):
    def expect_path(self, path: str) -> None:
        """The address bar shows this path (on the test server, with no query)."""
        expect(self.page).to_have_url(re.compile(rf"^http://[^/]+{re.escape(path)}$"))

    def expect_conversation_open(self, title: str) -> None:
        pane = self.page.get_by_role("main", name="Conversation")
        expect(pane.get_by_role("heading", name=title, exact=True)).to_be_visible()
