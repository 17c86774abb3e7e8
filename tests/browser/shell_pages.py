"""The page's shell as a person uses it: its addresses, the profile and message search (additions
to `pages.ChatPage`, found by role and label like the rest)."""

import re

from playwright.sync_api import Locator, expect

from tests.browser.pages import ChatPage


class ShellPage(ChatPage):
    def expect_path(self, path: str) -> None:
        """The address bar shows this path (on the test server, with no query)."""
        expect(self.page).to_have_url(re.compile(rf"^http://[^/]+{re.escape(path)}$"))

    def expect_conversation_open(self, title: str) -> None:
        pane = self.page.get_by_role("main", name="Conversation")
        expect(pane.get_by_role("heading", name=title, exact=True)).to_be_visible()

    # --- the profile -----------------------------------------------------------------------------

    @property
    def profile(self) -> Locator:
        return self.page.get_by_role("region", name="Your profile")

    def open_profile(self) -> None:
        self.page.get_by_role("button", name="Profile", exact=True).click()
        expect(self.profile.get_by_role("heading", name="Your profile")).to_be_focused()

    def change_password(self, current: str, new: str, repeat: str | None = None) -> None:
        form = self.profile.get_by_role("form", name="Password")
        form.get_by_label("Current password").fill(current)
        form.get_by_label("New password", exact=True).fill(new)
        form.get_by_label("Repeat new password").fill(new if repeat is None else repeat)
        form.get_by_role("button", name="Change password").click()

    # --- search ----------------------------------------------------------------------------------

    @property
    def search_dialog(self) -> Locator:
        return self.page.get_by_role("dialog", name="Search messages")

    def search(self, words: str) -> Locator:
        """Open the search (unless open) and look for the words: the results' list."""
        if not self.search_dialog.is_visible():
            self.page.get_by_role("button", name="Search", exact=True).click()
        expect(self.search_dialog).to_be_visible()
        self.search_dialog.get_by_label("Words to find").fill(words)
        self.search_dialog.get_by_label("Words to find").press("Enter")
        return self.search_results

    @property
    def search_results(self) -> Locator:
        return self.search_dialog.get_by_role("list", name="Messages found").get_by_role("listitem")
