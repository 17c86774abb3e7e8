"""Each conversation has its own address: a reload reopens it, back and forward move between
conversations (on a phone, back from one returns to the list), and an address of a conversation
that is not there, or not one's own, says so."""

import secrets
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.seed import seeding
from tests.browser.shell_pages import ShellPage
from webclient.views import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.browser


def test_the_server_answers_the_page_at_its_addresses(server_url):
    for path in ("/c/12", "/c/not-a-number", "/profile"):
        with urllib.request.urlopen(f"{server_url}{path}") as response:
            assert response.status == 200
            assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
            assert '<script type="module" src="/static/client/app.js"></script>' in response.read().decode()
    for path in ("/c/", "/c/12/more", "/profiles"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server_url}{path}")
        assert refused.value.code == 404, path


def test_reload_back_and_forward_follow_the_conversations(new_page, server_url):
    suffix = secrets.token_hex(3)
    with seeding(server_url) as seed:
        bob = seed.person(f"bob_{suffix}", "Bob")
        carol = seed.person(f"carol_{suffix}", "Carol")
        theirs = bob.private_with(carol)  # a conversation Alice is not in
        bob.send(theirs, "Just between us")

    me = ShellPage(new_page())
    me.expect_path("/")
    me.sign_up(f"alice_{suffix}")
    me.start_conversation([f"bob_{suffix}"])
    me.expect_conversation_open("Bob")
    bobs = me.page.url
    me.send("Hello Bob")
    me.start_conversation([f"carol_{suffix}"])
    me.expect_conversation_open("Carol")
    assert me.page.url != bobs and "/c/" in me.page.url
    carols = me.page.url

    me.page.reload()
    me.expect_conversation_open("Carol")
    expect(me.composer).to_be_focused()

    me.page.go_back()
    me.expect_conversation_open("Bob")
    expect(me.message("Hello Bob")).to_be_visible()
    assert me.page.url == bobs
    me.page.go_back()
    me.expect_path("/")
    expect(me.page.get_by_text("Choose a conversation, or start a new one.")).to_be_visible()
    me.page.go_forward()
    me.expect_conversation_open("Bob")
    me.page.go_forward()
    me.expect_conversation_open("Carol")
    me.open_conversation("Bob")
    assert me.page.url == bobs
    me.page.go_back()
    assert me.page.url == carols
    me.expect_conversation_open("Carol")

    # Addresses of no conversation of hers: none at all, not a number, or other people's.
    not_found = me.page.get_by_role("heading", name="Conversation not found")
    for path in ("/c/999999999", "/c/nonsense", f"/c/{theirs}"):
        me.page.goto(path)
        expect(not_found).to_be_focused()
        expect(me.page.get_by_text("This conversation does not exist, or you are not in it.")).to_be_visible()
        expect(me.page.get_by_text("Just between us")).to_have_count(0)
    me.page.get_by_role("link", name="Back to conversations").click()
    me.expect_path("/")
    expect(not_found).to_be_hidden()
    expect(me.conversation("Carol")).to_be_visible()


def test_on_a_phone_back_from_a_conversation_returns_to_the_list(new_page, server_url):
    suffix = secrets.token_hex(3)
    with seeding(server_url) as seed:
        dan = seed.person(f"dan_{suffix}")
        dan.leave()
        erin = seed.person(f"erin_{suffix}", "Erin")
        erin.send(erin.private_with(dan), "Are you there, Dan?")

    me = ShellPage(new_page(viewport=PHONE))
    me.log_in(f"dan_{suffix}")
    conversations = me.page.get_by_role("navigation", name="Conversations")
    entry = me.conversation("Erin").get_by_role("button")
    entry.click()
    me.expect_conversation_open("Erin")
    expect(conversations).to_be_hidden()
    erins = me.page.url

    # The browser's back (a phone's back gesture) goes to the list, on the conversation's entry.
    me.page.go_back()
    me.expect_path("/")
    expect(conversations).to_be_visible()
    expect(me.page.get_by_role("main", name="Conversation")).to_be_hidden()
    expect(entry).to_be_focused()
    me.page.go_forward()
    me.expect_conversation_open("Erin")
    expect(conversations).to_be_hidden()

    # Opened at its address, the page's own back button goes to the list in its place.
    me.page.goto(erins)
    me.expect_conversation_open("Erin")
    expect(me.message("Are you there, Dan?")).to_be_visible()
    me.page.get_by_role("button", name="Back to conversations").click()
    me.expect_path("/")
    expect(conversations).to_be_visible()
    # From the list, the page's back button after opening goes back in history (no new entry).
    entry.click()
    me.expect_conversation_open("Erin")
    me.page.keyboard.press("Escape")
    expect(conversations).to_be_visible()
    me.page.go_forward()
    me.expect_conversation_open("Erin")
