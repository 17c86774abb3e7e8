"""Screenshots of the main views (sign-in, conversation list, an open conversation, message search,
the profile) on a desktop and a phone, light and dark, saved to artifacts/screenshots/<view>-<device>-<scheme>.png.

Each view is checked for what it shows before it is taken, so a broken view fails here too."""

import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS
from tests.browser.seed import seeding
from tests.browser.shell_pages import ShellPage

pytestmark = pytest.mark.browser

DEVICES = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(scope="module")
def people(server_url: str) -> dict:
    """Ines, with a private conversation (a few messages each way) and a group."""
    suffix = secrets.token_hex(3)
    with seeding(server_url) as seed:
        ines = seed.person(f"ines_{suffix}", "Ines", "Moreau")
        jon = seed.person(f"jon_{suffix}", "Jon", "Baker")
        kim = seed.person(f"kim_{suffix}", "Kim")
        group = kim.group_with("Book club", ines, jon)
        kim.send(group, "Next book: The Left Hand of Darkness?")
        kim.send(group, "Or else a book about maps.")
        jon.send(group, "Yes please, I have a copy.")
        private = ines.private_with(jon)
        ines.send(private, "Hi Jon! Are we still on for Saturday?")
        jon.send(private, "Yes! 10 o'clock at the station.")
        jon.send(private, "I'll bring the map and some coffee.")
        ines.send(private, "Perfect, see you there.")
        ines.leave()
    return {"login": f"ines_{suffix}"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_screenshots_of_the_main_views(new_page, people, device, scheme):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    me = ShellPage(new_page(viewport=DEVICES[device], before_load=lambda page: page.emulate_media(color_scheme=scheme)))
    background = me.page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert background == ("rgb(17, 20, 24)" if scheme == "dark" else "rgb(244, 245, 247)")

    def shot(view: str) -> None:
        me.page.screenshot(path=SCREENSHOTS / f"{view}-{device}-{scheme}.png")

    expect(me.page.get_by_role("form", name="Log in")).to_be_visible()
    shot("signin")

    me.log_in(people["login"])
    expect(me.conversation("Jon Baker")).to_contain_text("You: Perfect, see you there.")
    expect(me.conversation("Book club")).to_contain_text("Yes please, I have a copy.")
    shot("conversations")

    me.open_conversation("Jon Baker")
    expect(me.message("I'll bring the map and some coffee.")).to_be_visible()
    expect(me.message("Hi Jon! Are we still on for Saturday?")).to_be_visible()
    shot("conversation")

    results = me.search("book")
    me.search_dialog.get_by_role("radio", name="In all conversations").check()
    expect(results).to_have_count(2)
    shot("search")
    me.page.keyboard.press("Escape")

    me.open_profile()
    expect(me.profile.get_by_label("First name")).to_have_value("Ines")
    shot("profile")
