"""The web client as a person uses it, found by labels, roles and text as assistive technology would."""

import secrets

from playwright.sync_api import Locator, Page, expect

PASSWORD = "browser-pass-1"


class ChatPage:
    """One person's browser tab on the web client."""

    def __init__(self, page: Page) -> None:
        self.page = page

    # --- signing in ------------------------------------------------------------------------------

    def sign_up(self, login: str, first_name: str = "", password: str = PASSWORD) -> None:
        form = self.page.get_by_role("form", name="Sign up")
        form.get_by_label("Login").fill(login)
        form.get_by_label("Password").fill(password)
        if first_name:
            form.get_by_label("First name").fill(first_name)
        form.get_by_role("button", name="Sign up").click()
        self.expect_signed_in()

    def log_in(self, login: str, password: str = PASSWORD) -> None:
        form = self.page.get_by_role("form", name="Log in")
        form.get_by_label("Login").fill(login)
        form.get_by_label("Password").fill(password)
        form.get_by_role("button", name="Log in").click()

    def expect_signed_in(self) -> None:
        expect(self.page.get_by_role("button", name="New conversation")).to_be_visible()

    # --- conversations ---------------------------------------------------------------------------

    def conversation(self, title: str) -> Locator:
        """The conversation's entry in the list."""
        return self.page.get_by_role("navigation", name="Conversations").get_by_role("listitem").filter(has_text=title)

    def start_conversation(self, logins: list[str], group_name: str = "") -> None:
        self.page.get_by_role("button", name="New conversation").click()
        dialog = self.page.get_by_role("dialog", name="New conversation")
        if group_name:
            dialog.get_by_role("radio", name="Group").check()
            dialog.get_by_label("Group name").fill(group_name)
        for login in logins:
            dialog.get_by_label("Search people").fill(login)
            dialog.get_by_label(login).check()
        dialog.get_by_role("button", name="Start conversation").click()
        expect(dialog).to_be_hidden()

    def open_conversation(self, title: str) -> None:
        self.conversation(title).get_by_role("button").click()
        expect(self.page.get_by_role("heading", name=title, exact=True)).to_be_visible()

    # --- messages --------------------------------------------------------------------------------

    @property
    def composer(self) -> Locator:
        return self.page.get_by_role("textbox", name="Message", exact=True)

    def send(self, text: str) -> None:
        self.composer.fill(text)
        self.page.get_by_role("button", name="Send", exact=True).click()
        expect(self.message(text)).to_be_visible()

    def message(self, text: str) -> Locator:
        return self.page.get_by_role("log", name="Messages").get_by_role("listitem").filter(has_text=text)

    def status_of(self, text: str) -> Locator:
        """The read mark of one's own message: data-status is pending, sent, read or failed."""
        return self.message(text).locator(".message-status")

    def edit(self, text: str, new_text: str) -> None:
        message = self.message(text)
        message.hover()
        message.get_by_role("button", name="Edit").click()
        message.get_by_role("textbox", name="Edit message").fill(new_text)
        message.get_by_role("button", name="Save").click()
        expect(self.message(new_text)).to_contain_text("edited")

    def delete(self, text: str) -> None:
        message = self.message(text)
        message.hover()
        message.get_by_role("button", name="Delete", exact=True).click()
        message.get_by_role("button", name="Delete for everyone").click()
        expect(self.message(text)).to_have_count(0)


def olga_pavel_and_rita(new_page, phone: dict) -> tuple[dict[str, str], ChatPage, ChatPage, ChatPage]:
    """Three people signed up, Olga and Pavel on desktops, Rita on a phone; their logins by name."""
    suffix = secrets.token_hex(3)
    logins = {name: f"{name}_{suffix}" for name in ("olga", "pavel", "rita")}
    olga, pavel, rita = ChatPage(new_page()), ChatPage(new_page()), ChatPage(new_page(viewport=phone))
    for person, name in ((olga, "olga"), (pavel, "pavel"), (rita, "rita")):
        person.sign_up(logins[name], first_name=name.capitalize())
    return logins, olga, pavel, rita
