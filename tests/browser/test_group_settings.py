"""A group's settings as its people use them: renaming it, adding and removing people, leaving; the
others see each change live."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.browser.conversation_pages import close_settings, open_settings
from tests.browser.pages import olga_pavel_and_rita

pytestmark = pytest.mark.browser


def test_rename_add_remove_and_leave_reach_everyone_live(new_page):
    logins, olga, pavel, rita = olga_pavel_and_rita(new_page, PHONE)
    olga.start_conversation([logins["pavel"]], group_name="Trip")
    olga.send("Where shall we go?")
    pavel.open_conversation("Trip")

    # Pavel renames it (any participant may); Olga sees the new name live, in her list and header.
    dialog = open_settings(pavel)
    expect(dialog.get_by_role("heading", name="People (2)")).to_be_visible()
    expect(dialog.get_by_role("button", name="Remove Olga")).to_have_count(0)  # only the owner removes
    dialog.get_by_label("Group name").fill("Trip to the lakes")
    dialog.get_by_role("button", name="Rename").click()
    expect(dialog.get_by_role("status")).to_have_text("Renamed to “Trip to the lakes”.")
    close_settings(pavel)
    expect(pavel.page.get_by_role("heading", name="Trip to the lakes")).to_be_visible()
    expect(olga.page.get_by_role("heading", name="Trip to the lakes")).to_be_visible()
    expect(olga.conversation("Trip to the lakes")).to_be_visible()

    # Olga adds Rita: the group appears in Rita's list live; the others read who was added.
    dialog = open_settings(olga)
    dialog.get_by_label("Add people").fill(logins["rita"])
    dialog.get_by_label(logins["rita"]).check()
    dialog.get_by_role("button", name="Add to group").click()
    expect(dialog.get_by_role("status")).to_have_text("Added Rita.")
    expect(dialog.get_by_role("heading", name="People (3)")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    olga.page.screenshot(path=SCREENSHOTS / "group-settings-desktop-light.png")
    close_settings(olga)
    expect(olga.page.get_by_text("3 participants")).to_be_visible()
    expect(pavel.message("Rita has been added to the group")).to_be_visible()
    expect(pavel.page.get_by_text("3 participants")).to_be_visible()
    rita.open_conversation("Trip to the lakes")
    expect(rita.message("Rita has been added to the group")).to_be_visible()

    # Olga, the owner, removes Pavel: the group leaves his list, and his open conversation closes.
    dialog = open_settings(olga)
    dialog.get_by_role("button", name="Remove Pavel").click()
    expect(dialog.get_by_role("status")).to_have_text("Pavel was removed from the group.")
    expect(dialog.get_by_role("heading", name="People (2)")).to_be_focused()  # the button went
    close_settings(olga)
    expect(olga.page.get_by_role("button", name="Conversation settings")).to_be_focused()
    expect(pavel.conversation("Trip to the lakes")).to_have_count(0)
    expect(pavel.page.get_by_role("heading", name="Trip to the lakes")).to_be_hidden()
    expect(rita.message("Pavel has been removed from the group")).to_be_visible()

    # Rita leaves from her phone, with the keyboard: asked first, then gone from her list.
    dialog = open_settings(rita)
    rita.page.screenshot(path=SCREENSHOTS / "group-settings-phone-light.png")
    dialog.get_by_role("button", name="Leave group").click()
    expect(dialog.get_by_text("Leave “Trip to the lakes”? You will no longer get its messages.")).to_be_visible()
    expect(dialog.get_by_role("button", name="Stay")).to_be_focused()
    rita.page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Leave", exact=True)).to_be_focused()
    rita.page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(rita.conversation("Trip to the lakes")).to_have_count(0)
    expect(rita.page.get_by_role("heading", name="Conversations")).to_be_focused()
    expect(olga.message("Rita has left the group")).to_be_visible()
    dialog = open_settings(olga)
    expect(dialog.get_by_role("heading", name="People (1)")).to_be_visible()
