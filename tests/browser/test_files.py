"""Files: chosen with the attach button or dropped on the conversation, uploaded with progress,
sent as attachments; images shown inline and full size, other files as a download link, live and
after a reload."""

import re
import secrets

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.browser.message_pages import MessagesPage, alice_and_bob, alice_wrote_to_bob, file_payload, png

pytestmark = pytest.mark.browser

NOTES = b"Bring snacks\n"  # 13 bytes


def test_files_are_uploaded_sent_and_shown_live_and_after_a_reload(new_page):
    alice, bob = alice_wrote_to_bob(new_page, "Hi Bob")

    # Alice picks a photo and a text file; both upload in the tray above the message box.
    alice.attach(file_payload("beach.png", png(240, 160), "image/png"), file_payload("notes.txt", NOTES, "text/plain"))
    expect(alice.files_to_send).to_have_count(2)
    expect(alice.files_to_send.filter(has_text="beach.png")).to_contain_text("Ready")
    expect(alice.files_to_send.filter(has_text="notes.txt")).to_contain_text("13 bytes")
    expect(alice.files_to_send.filter(has_text="notes.txt")).to_contain_text("Ready")
    expect(alice.page.locator("#message-announcer")).to_have_text(re.compile(r"(beach\.png|notes\.txt) uploaded"))
    alice.composer.fill("Photos from Sunday")
    alice.composer.press("Enter")
    expect(alice.files_to_send).to_have_count(0)
    expect(alice.status_of("Photos from Sunday")).to_have_attribute("data-status", "read")

    # Bob sees them live: the photo inline and scaled, the text file as a link with its size.
    sent = bob.message("Photos from Sunday")
    photo = sent.get_by_role("img", name="beach.png")
    expect(photo).to_be_visible()
    expect(photo).to_have_js_property("naturalWidth", 240)
    assert photo.evaluate("img => img.getBoundingClientRect().width") <= 320
    link = sent.get_by_role("link", name=re.compile("notes.txt"))
    expect(link).to_contain_text("13 bytes")
    with bob.page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "notes.txt"
    assert download.value.path().read_bytes() == NOTES

    # The photo opens full size in a dialog, from the keyboard too; Escape closes it.
    sent.get_by_role("button", name=re.compile("beach.png")).focus()
    bob.page.keyboard.press("Enter")
    viewer = bob.page.get_by_role("dialog", name="beach.png")
    expect(viewer).to_be_visible()
    expect(viewer.get_by_role("img", name="beach.png")).to_have_js_property("naturalWidth", 240)
    expect(viewer.get_by_role("link", name="Open in a new tab")).to_have_attribute("href", re.compile("/attachments/"))
    bob.page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(sent.get_by_role("button", name=re.compile("beach.png"))).to_be_focused()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    bob.page.screenshot(path=SCREENSHOTS / "files-desktop-light.png")

    # After a reload the history shows the same files; the list says a file was sent.
    bob.page.reload()
    bob.expect_signed_in()
    bob.open_conversation("Alice")
    again = bob.message("Photos from Sunday")
    expect(again.get_by_role("img", name="beach.png")).to_have_js_property("naturalWidth", 240)
    again_link = again.get_by_role("link", name=re.compile("notes.txt"))
    expect(again_link).to_have_attribute("href", re.compile("/attachments/"))


def test_a_file_dropped_on_the_conversation_is_sent_without_text(new_page):
    suffix, alice, bob = alice_and_bob(new_page, PHONE)
    bob.start_conversation([f"alice_{suffix}"])
    bob.send("Hi Alice")
    alice.open_conversation("Bob")

    bob.drop("plan.txt", "Step one: pack.")
    expect(bob.files_to_send).to_have_count(1)
    expect(bob.files_to_send).to_contain_text("Ready")
    # A file can be taken off again before sending.
    bob.drop("wrong.txt", "not this one")
    bob.files_to_send.filter(has_text="wrong.txt").get_by_role("button", name="Remove wrong.txt").click()
    expect(bob.files_to_send).to_have_count(1)
    bob.send_button().click()

    link = alice.log.get_by_role("link", name=re.compile("plan.txt"))
    expect(link).to_contain_text("15 bytes")
    expect(alice.conversation("Bob")).to_contain_text("Attachment")
    expect(bob.log.get_by_role("link", name=re.compile("plan.txt"))).to_be_visible()
    expect(bob.log.get_by_text("wrong.txt")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    bob.page.screenshot(path=SCREENSHOTS / "files-phone-dark.png")


def test_a_message_sent_while_its_file_uploads_waits_for_it(new_page):
    suffix = secrets.token_hex(3)
    held = []  # the upload's request, kept waiting until the test lets it go

    def hold_uploads(page) -> None:
        page.route("**/attachments/**", lambda route: held.append(route))

    alice = MessagesPage(new_page(before_load=hold_uploads))
    bob = MessagesPage(new_page())
    alice.sign_up(f"alice_{suffix}")
    bob.sign_up(f"bob_{suffix}")
    alice.start_conversation([f"bob_{suffix}"])
    alice.send("Hi Bob")
    bob.open_conversation(f"alice_{suffix}")

    with alice.page.expect_request(lambda request: request.method == "PUT"):
        alice.attach(file_payload("slow.png", png(40, 40), "image/png"))
    expect(alice.files_to_send).to_have_count(1)
    expect(alice.files_to_send.locator("progress")).to_be_visible()
    alice.composer.fill("On its way")
    alice.composer.press("Enter")
    # The upload is held: the message waits as "Sending", showing the file's progress.
    expect(alice.status_of("On its way")).to_have_attribute("data-status", "pending")
    expect(alice.message("On its way").get_by_role("progressbar", name="Upload of slow.png")).to_be_visible()
    expect(bob.message("On its way")).to_have_count(0)

    assert [route.request.method for route in held] == ["PUT"]
    held[0].continue_()
    expect(bob.message("On its way").get_by_role("img", name="slow.png")).to_have_js_property("naturalWidth", 40)
    expect(alice.status_of("On its way")).to_have_attribute("data-status", "read")
