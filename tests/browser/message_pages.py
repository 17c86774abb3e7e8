"""Messages as a person handles them on the page: files, replies and reactions (found by role and
label, as a screen reader would), and a plain SAMA client that prepares conversations quickly."""

import re
import secrets
import struct
import zlib

from playwright.sync_api import Locator, expect

from tests.browser.pages import ChatPage


def png(width: int, height: int, rgb: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    """A valid PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def file_payload(name: str, data: bytes, mime_type: str) -> dict:
    return {"name": name, "mimeType": mime_type, "buffer": data}


class MessagesPage(ChatPage):
    """ChatPage, with what one does to messages beyond writing them."""

    @property
    def log(self) -> Locator:
        return self.page.get_by_role("log", name="Messages")

    def message_saying(self, text: str) -> Locator:
        """The message whose own text is `text` (not a reply that quotes it)."""
        body = self.page.locator(".message-body").get_by_text(text, exact=True)
        return self.log.get_by_role("listitem").filter(has=body)

    def edit(self, text: str, new_text: str) -> None:
        """ChatPage.edit, for a message that replies may quote."""
        message = self.message_saying(text)
        message.hover()
        message.get_by_role("button", name="Edit").click()
        message.get_by_role("textbox", name="Edit message").fill(new_text)
        message.get_by_role("button", name="Save").click()
        expect(self.message_saying(new_text)).to_contain_text("edited")

    def delete(self, text: str) -> None:
        """ChatPage.delete, for a message that replies may quote."""
        message = self.message_saying(text)
        message.hover()
        message.get_by_role("button", name="Delete", exact=True).click()
        message.get_by_role("button", name="Delete for everyone").click()
        expect(self.message_saying(text)).to_have_count(0)

    # --- files -----------------------------------------------------------------------------------

    def attach(self, *files: dict) -> None:
        """Choose files with the "Attach files" button."""
        with self.page.expect_file_chooser() as chooser:
            self.page.get_by_role("button", name="Attach files").click()
        chooser.value.set_files(list(files))

    def drop(self, name: str, text: str, mime_type: str = "text/plain") -> None:
        """Drag a file from the desktop and drop it on the open conversation."""
        data = self.page.evaluate_handle(
            "([name, text, type]) => { const d = new DataTransfer();"
            " d.items.add(new File([text], name, {type})); return d; }",
            [name, text, mime_type],
        )
        overlay = self.page.get_by_role("main", name="Conversation").locator(".drop-overlay")
        history = self.page.get_by_role("region", name="Message history")
        history.dispatch_event("dragenter", {"dataTransfer": data})
        expect(overlay).to_be_visible()
        history.dispatch_event("dragover", {"dataTransfer": data})
        history.dispatch_event("drop", {"dataTransfer": data})
        expect(overlay).to_be_hidden()

    @property
    def files_to_send(self) -> Locator:
        return self.page.get_by_role("list", name="Files to send").get_by_role("listitem")

    def send_button(self) -> Locator:
        return self.page.get_by_role("button", name="Send", exact=True)

    # --- replies ---------------------------------------------------------------------------------

    def reply_to(self, text: str) -> None:
        message = self.message_saying(text)
        message.hover()
        message.get_by_role("button", name="Reply").click()
        expect(self.page.get_by_text("Replying to")).to_be_visible()
        expect(self.composer).to_be_focused()

    def quote_in(self, text: str) -> Locator:
        """The quote at the top of the reply that says `text`."""
        return self.message_saying(text).get_by_role("button", name=re.compile("^In reply to"))

    # --- reactions -------------------------------------------------------------------------------

    def react(self, text: str, reaction: str) -> None:
        """React to a message with one of the picker's reactions (its name: "Heart")."""
        message = self.message_saying(text)
        message.hover()
        message.get_by_role("button", name="React").click()
        message.get_by_role("group", name="Choose a reaction").get_by_role("button", name=reaction).click()

    def reaction(self, text: str, reaction: str) -> Locator:
        """The count of one reaction under a message: a toggle button named "Heart: 2"."""
        reactions = self.message_saying(text).get_by_role("group", name="Reactions")
        return reactions.get_by_role("button", name=re.compile(f"^{re.escape(reaction)}: \\d+$"))


def alice_and_bob(new_page, phone: dict) -> tuple[str, MessagesPage, MessagesPage]:
    """Alice on a desktop and Bob on a phone in dark mode, signed up; the logins' suffix."""
    suffix = secrets.token_hex(3)
    alice, bob = MessagesPage(new_page()), MessagesPage(new_page(viewport=phone))
    bob.page.emulate_media(color_scheme="dark")
    alice.sign_up(f"alice_{suffix}", first_name="Alice")
    bob.sign_up(f"bob_{suffix}", first_name="Bob")
    return suffix, alice, bob


def alice_wrote_to_bob(new_page, text: str) -> tuple[MessagesPage, MessagesPage]:
    """Alice and Bob signed up on two desktop pages, and Alice's new conversation with Bob, which
    she opened with `text`, open on both."""
    suffix = secrets.token_hex(3)
    alice, bob = MessagesPage(new_page()), MessagesPage(new_page())
    alice.sign_up(f"alice_{suffix}", first_name="Alice")
    bob.sign_up(f"bob_{suffix}", first_name="Bob")
    alice.start_conversation([f"bob_{suffix}"])
    alice.send(text)
    bob.open_conversation("Alice")
    return alice, bob
