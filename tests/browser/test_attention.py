"""Getting attention: the unread count in the tab's title, and desktop notifications, asked for
only from the control the person presses, never for a muted conversation nor for the one the
person is looking at; clicking one opens its conversation."""

import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.conversation_pages import (
    close_settings,
    open_settings,
    shown_notifications,
    with_fake_notifications,
)
from tests.browser.pages import ChatPage

pytestmark = pytest.mark.browser


def test_title_counts_unread_and_notifications_follow_focus_and_mute(new_page):
    suffix = secrets.token_hex(3)
    ada_login, bo_login, cy_login = f"ada_{suffix}", f"bo_{suffix}", f"cy_{suffix}"
    ada = ChatPage(new_page(before_load=with_fake_notifications))
    bo, cy = ChatPage(new_page()), ChatPage(new_page())
    ada.sign_up(ada_login, first_name="Ada")
    bo.sign_up(bo_login, first_name="Bo")
    cy.sign_up(cy_login, first_name="Cy")
    expect(ada.page).to_have_title("Chat")

    # Nothing is asked on page load: the person turns notifications on with the control.
    control = ada.page.get_by_role("group", name="Desktop notifications")
    turn_on = control.get_by_role("button", name="Turn on desktop notifications")
    expect(turn_on).to_be_visible()
    assert ada.page.evaluate("window.permissionRequests") == 0
    turn_on.click()
    expect(control).to_contain_text("Desktop notifications are on.")
    assert ada.page.evaluate("window.permissionRequests") == 1
    expect(control.get_by_role("button", name="Turn off")).to_be_focused()

    # Bo writes while Ada looks at nothing: the title counts it, and a notification shows it.
    bo.start_conversation([ada_login])
    bo.send("Lunch at noon?")
    expect(ada.page).to_have_title("(1) Chat")
    shown = shown_notifications(ada.page)
    expect(shown).to_have_text(["Bo | Lunch at noon?"])
    cy.start_conversation([ada_login, bo_login], group_name="Office")
    cy.send("Cake in the kitchen")
    expect(ada.page).to_have_title("(2) Chat")
    expect(shown).to_have_text(["Bo | Lunch at noon?", "Office | Cy: Cake in the kitchen"])

    # Clicking Bo's notification opens his conversation, which reads it.
    ada.page.evaluate("window.shownNotifications[0].click()")
    expect(ada.page.get_by_role("heading", name="Bo", exact=True)).to_be_visible()
    expect(ada.message("Lunch at noon?")).to_be_visible()
    expect(ada.page).to_have_title("(1) Chat")

    # Looking at Bo's conversation: his next message shows there, with no notification.
    bo.send("I'll book a table")
    expect(ada.message("I'll book a table")).to_be_visible()
    expect(shown).to_have_count(2)
    # The same conversation open in a window that lost the focus: notified.
    ada.page.evaluate("document.hasFocus = () => false")
    bo.send("Table for three")
    expect(ada.message("Table for three")).to_be_visible()
    expect(shown).to_have_count(3)
    expect(shown.last).to_have_text("Bo | Table for three")

    # Muted, the office group notifies nobody and leaves the title's count.
    ada.page.evaluate("delete document.hasFocus")
    ada.open_conversation("Office")
    expect(ada.page).to_have_title("Chat")
    dialog = open_settings(ada)
    dialog.get_by_label("Mute notifications").check()
    expect(dialog.get_by_role("status")).to_contain_text("Muted")
    close_settings(ada)
    ada.open_conversation("Bo")
    cy.send("Cake is gone")
    expect(ada.conversation("Office")).to_contain_text("Cake is gone")
    expect(ada.conversation("Office").locator(".unread-badge")).to_contain_text("1 unread message")
    expect(ada.page).to_have_title("Chat")
    bo.send("See you there")
    expect(ada.message("See you there")).to_be_visible()
    ada.page.evaluate("document.hasFocus = () => false")
    cy.send("More cake tomorrow")
    expect(ada.conversation("Office")).to_contain_text("More cake tomorrow")
    bo.send("Leaving now")  # not muted, and Ada's window has no focus: the next one shown is Bo's
    expect(shown).to_have_count(4)
    expect(shown.last).to_have_text("Bo | Leaving now")
    expect(ada.page).to_have_title("Chat")

    # Turned off on this device: nothing more, though the browser still allows it.
    ada.page.evaluate("delete document.hasFocus")
    control.get_by_role("button", name="Turn off").click()
    expect(control.get_by_role("button", name="Turn on desktop notifications")).to_be_visible()
    ada.open_conversation("Office")
    bo.send("Are you coming?")
    expect(ada.conversation("Bo")).to_contain_text("Are you coming?")
    expect(ada.page).to_have_title("(1) Chat")
    expect(shown).to_have_count(4)
