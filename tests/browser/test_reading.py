"""Reading comfort: day headings, one name and avatar per run of messages, links that are links
(and nothing else is), avatars that read in light and dark, and notices with names, not logins."""

import re
import secrets
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from websockets.sync.client import connect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.message_pages import MessagesPage
from tests.browser.pages import PASSWORD
from tests.browser.seed import SamaPerson

pytestmark = pytest.mark.browser

# The lowest contrast of any avatar's initials on its colour, as the browser draws them.
AVATAR_CONTRAST = """() => {
  const rgb = (text) => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratios = [...document.querySelectorAll("#message-list .avatar")].map((node) => {
    const style = getComputedStyle(node);
    const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  });
  return ratios.length ? Math.min(...ratios) : 0;
}"""


def noon(day: datetime, days_later: int) -> datetime:
    """Noon (local time, as the browser has it) of the day `days_later` after `day`."""
    return (day + timedelta(days=days_later)).replace(hour=12, minute=0, second=0, microsecond=0)


def _seed_book_club(server_url: str, suffix: str) -> tuple[dict[str, str], datetime]:
    """Wanda writes three messages to the group, Carl one, then Carl leaves."""
    logins = {name: f"{name}_{suffix}" for name in ("wanda", "carl", "rosa")}
    url = server_url.replace("http://", "ws://") + "/"
    with connect(url, open_timeout=5) as wanda_socket, connect(url, open_timeout=5) as carl_socket:
        wanda, carl = SamaPerson(wanda_socket), SamaPerson(carl_socket)
        rosa_id = wanda.request("user_create", {"login": logins["rosa"], "password": PASSWORD, "first_name": "Rosa"})
        carl_id = carl.request(
            "user_create", {"login": logins["carl"], "password": PASSWORD, "first_name": "Carl", "last_name": "Jones"}
        )
        wanda.request(
            "user_create",
            {"login": logins["wanda"], "password": PASSWORD, "first_name": "Wanda", "last_name": "Writer"},
        )
        wanda.request("user_login", {"login": logins["wanda"], "password": PASSWORD, "device_id": "seed"})
        carl.request("user_login", {"login": logins["carl"], "password": PASSWORD, "device_id": "seed"})
        members = [rosa_id["user"]["_id"], carl_id["user"]["_id"]]
        cid = wanda.request("conversation_create", {"type": "g", "name": "Book club", "participants": members})
        cid = cid["conversation"]["_id"]
        first = wanda.send(cid, "Chapter one is done")
        wanda.send(cid, "Notes: https://docs.python.org/3/library/ and (https://en.wikipedia.org/wiki/Foo_(bar)).")
        wanda.send(cid, "<b>not bold</b> and javascript:alert(1) is no link")
        carl.send(cid, "Great, thanks")
        carl.request("conversation_delete", {"id": cid})
    return logins, datetime.fromtimestamp(first["t"]).astimezone()


def test_days_groups_avatars_links_and_notices(new_page, server_url):
    logins, written = _seed_book_club(server_url, secrets.token_hex(3))

    # Rosa reads the next day.
    rosa = MessagesPage(new_page(before_load=lambda page: page.clock.set_fixed_time(noon(written, 1))))
    rosa.log_in(logins["rosa"])
    rosa.expect_signed_in()
    rosa.open_conversation("Book club")
    log = rosa.log
    expect(log.get_by_role("heading", name="Yesterday")).to_be_visible()

    # Wanda's three messages are one run: her name and avatar once; Carl's starts another.
    chapter, notes, not_bold = (rosa.message(text) for text in ("Chapter one", "Notes:", "not bold"))
    expect(chapter.locator(".message-sender")).to_have_text("Wanda Writer")
    expect(chapter.locator(".avatar")).to_have_text("WW")
    expect(chapter).not_to_have_class(re.compile(r"\bcontinued\b"))
    for later in (notes, not_bold):
        expect(later).to_have_class(re.compile(r"\bcontinued\b"))
        expect(later.locator(".avatar")).to_be_hidden()
    great = rosa.message("Great, thanks")
    expect(great).not_to_have_class(re.compile(r"\bcontinued\b"))
    expect(great.locator(".avatar")).to_have_text("CJ")

    # Links are links (http and https only, opened apart), and text stays text.
    python = notes.get_by_role("link", name="https://docs.python.org/3/library/", exact=True)
    expect(python).to_have_attribute("href", "https://docs.python.org/3/library/")
    expect(python).to_have_attribute("target", "_blank")
    expect(python).to_have_attribute("rel", "noopener noreferrer")
    wiki = notes.get_by_role("link", name="https://en.wikipedia.org/wiki/Foo_(bar)", exact=True)
    expect(wiki).to_have_attribute("href", "https://en.wikipedia.org/wiki/Foo_(bar)")
    expect(not_bold.get_by_role("link")).to_have_count(0)
    expect(not_bold.locator("b")).to_have_count(0)
    expect(not_bold.locator(".message-body")).to_have_text("<b>not bold</b> and javascript:alert(1) is no link")

    # Carl's leaving, in his name.
    expect(log).to_contain_text("Carl Jones has left the group")
    expect(log).not_to_contain_text(f"{logins['carl']} has left")

    # What Rosa writes now goes under "Today".
    rosa.send("Morning all")
    expect(log.get_by_role("heading")).to_have_text(["Yesterday", "Today"])

    # The avatars' initials read on their colours, in light mode and in dark.
    assert rosa.page.evaluate(AVATAR_CONTRAST) >= 4.5
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    rosa.page.screenshot(path=SCREENSHOTS / "reading-desktop-light.png")
    rosa.page.emulate_media(color_scheme="dark")
    assert rosa.page.evaluate(AVATAR_CONTRAST) >= 4.5
    rosa.page.screenshot(path=SCREENSHOTS / "reading-desktop-dark.png")

    # Three days on, that day is a date in the browser's locale (en-US here).
    later = noon(written, 3)
    wanda = MessagesPage(new_page(before_load=lambda page: page.clock.set_fixed_time(later)))
    wanda.log_in(logins["wanda"])
    wanda.expect_signed_in()
    wanda.open_conversation("Book club")
    date = f"{written:%A}, {written:%B} {written.day}" + (f", {written.year}" if written.year != later.year else "")
    expect(wanda.log.get_by_role("heading")).to_have_text([date])
