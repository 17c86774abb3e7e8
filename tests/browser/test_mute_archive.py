"""Muting and archiving a conversation for oneself: the muted mark, the "Archived" view, and the
server's rule that an archived conversation stays archived when new messages arrive."""

import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.browser.conversation_pages import archived_toggle, close_settings, open_settings
from tests.browser.pages import ChatPage

pytestmark = pytest.mark.browser


def test_archive_and_mute_are_kept_by_the_server_and_new_messages_stay_archived(new_page):
    suffix = secrets.token_hex(3)
    ivan_login, zoe_login = f"ivan_{suffix}", f"zoe_{suffix}"
    ivan = ChatPage(new_page())
    zoe = ChatPage(new_page(viewport=PHONE))
    zoe.page.emulate_media(color_scheme="dark")
    ivan.sign_up(ivan_login, first_name="Ivan")
    zoe.sign_up(zoe_login, first_name="Zoe")
    ivan.start_conversation([zoe_login], group_name="Book club")
    ivan.send("Next book?")
    ivan.start_conversation([zoe_login])
    ivan.send("Hi Zoe")
    expect(zoe.conversation("Book club")).to_contain_text("Next book?")
    expect(archived_toggle(zoe)).to_be_hidden()  # nothing archived yet

    # Zoe archives the book club from its settings: it leaves her list for "Archived".
    zoe.open_conversation("Book club")
    dialog = open_settings(zoe)
    dialog.get_by_label("Archive").check()
    expect(dialog.get_by_role("status")).to_have_text("Archived: it is under “Archived” in the list.")
    expect(dialog.get_by_label("Archive")).to_be_focused()
    dialog.get_by_label("Mute notifications").check()
    expect(dialog.get_by_role("status")).to_have_text("Muted: no notifications from this conversation.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    zoe.page.screenshot(path=SCREENSHOTS / "conversation-settings-phone-dark.png")
    close_settings(zoe)
    zoe.page.screenshot(path=SCREENSHOTS / "conversation-header-phone-dark.png")
    zoe.page.get_by_role("button", name="Back to conversations").click()
    expect(zoe.conversation("Book club")).to_have_count(0)
    expect(zoe.conversation("Ivan")).to_be_visible()
    expect(archived_toggle(zoe)).to_have_text("Archived (1)")
    expect(archived_toggle(zoe)).to_have_attribute("aria-pressed", "false")

    # A new message leaves it archived: only the "Archived" button counts it (muted: not as unread).
    ivan.open_conversation("Book club")
    ivan.send("How about Dune?")
    expect(zoe.conversation("Ivan")).to_be_visible()
    archived_toggle(zoe).click()
    expect(archived_toggle(zoe)).to_have_attribute("aria-pressed", "true")
    club = zoe.conversation("Book club")
    expect(club).to_contain_text("How about Dune?")
    expect(club).to_contain_text("muted")  # the muted mark, read out
    expect(club.locator(".unread-badge")).to_contain_text("1 unread message")
    expect(zoe.conversation("Ivan")).to_have_count(0)
    zoe.page.screenshot(path=SCREENSHOTS / "archived-phone-dark.png")

    # The server keeps both settings: after a reload they are still there.
    zoe.page.reload()
    zoe.expect_signed_in()
    expect(zoe.conversation("Book club")).to_have_count(0)
    archived_toggle(zoe).click()
    expect(zoe.conversation("Book club")).to_contain_text("muted")

    # Unarchiving brings it back to the list; unmuting drops the mark. Ivan's settings are his own.
    zoe.open_conversation("Book club")
    dialog = open_settings(zoe)
    expect(dialog.get_by_label("Archive")).to_be_checked()
    dialog.get_by_label("Archive").uncheck()
    expect(dialog.get_by_role("status")).to_have_text("Back in the list of conversations.")
    dialog.get_by_label("Mute notifications").uncheck()
    expect(dialog.get_by_role("status")).to_have_text("Notifications are on again.")
    close_settings(zoe)
    zoe.page.get_by_role("button", name="Back to conversations").click()
    expect(archived_toggle(zoe)).to_be_hidden()
    expect(zoe.conversation("Book club")).to_be_visible()
    expect(zoe.conversation("Book club")).not_to_contain_text("muted")
    expect(ivan.conversation("Book club")).not_to_contain_text("muted")
    dialog = open_settings(ivan)
    expect(dialog.get_by_label("Archive")).not_to_be_checked()
