"""What the conversation settings, the archived view and notifications tests share: the settings
dialog found as a person finds it, a stand-in for the browser's notifications, and making a user
staff in the database of the server under test (the page offers no way to, as it should not)."""

import os
from contextlib import closing
from pathlib import Path

import dj_database_url
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.pages import ChatPage

# window.Notification as the page sees it: permission "default" until requested (the request is
# counted, and granted); each notification shown is kept in window.shownNotifications and written
# as "title | body" into a hidden list (`shown_notifications`), so tests wait for it with `expect`;
# `click()` on one does what clicking a real one does (its onclick). A real notification is
# outside the page: this list stands in for the desktop's.
FAKE_NOTIFICATIONS = """
(() => {
  window.permissionRequests = 0;
  window.shownNotifications = [];
  class FakeNotification {
    static permission = "default";
    static async requestPermission() {
      window.permissionRequests += 1;
      FakeNotification.permission = "granted";
      return "granted";
    }
    constructor(title, options = {}) {
      Object.assign(this, { title, body: options.body, tag: options.tag, onclick: null, closed: false });
      window.shownNotifications.push(this);
      let shown = document.getElementById("test-shown-notifications");
      if (!shown) {
        shown = document.createElement("ol");
        shown.id = "test-shown-notifications";
        shown.hidden = true;
        document.documentElement.append(shown);
      }
      const item = document.createElement("li");
      item.textContent = `${title} | ${options.body}`;
      shown.append(item);
    }
    close() { this.closed = true; }
    click() { if (this.onclick) this.onclick(new Event("click")); }
  }
  window.Notification = FakeNotification;
})();
"""


def with_fake_notifications(page: Page) -> None:
    """`before_load` for `new_page`: the page gets FAKE_NOTIFICATIONS."""
    page.add_init_script(FAKE_NOTIFICATIONS)


def shown_notifications(page: Page) -> Locator:
    """The notifications shown so far, each "title | body"."""
    return page.locator("#test-shown-notifications li")


def open_settings(person: ChatPage) -> Locator:
    """Open the settings of the conversation open in `person`'s tab: the dialog."""
    person.page.get_by_role("button", name="Conversation settings").click()
    dialog = person.page.get_by_role("dialog", name="Conversation settings")
    expect(dialog).to_be_visible()
    return dialog


def close_settings(person: ChatPage) -> None:
    dialog = person.page.get_by_role("dialog", name="Conversation settings")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


def archived_toggle(person: ChatPage) -> Locator:
    return person.page.get_by_role("button", name="Archived")


def make_staff(tmp_path_factory: pytest.TempPathFactory, login: str) -> None:
    """Mark an account staff in the database of the daphne serving the tests, named as
    tests/browser/conftest.py names it: a SQLite file in the session's temporary directory, or
    `<DATABASE_URL's name>_browser` on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    statement = "UPDATE accounts_user SET is_staff = %s WHERE username = %s"
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        config = dj_database_url.parse(url)
        with psycopg.connect(
            host=config.get("HOST") or "127.0.0.1",
            port=config.get("PORT") or 5432,
            user=config.get("USER") or "postgres",
            password=config.get("PASSWORD") or None,
            dbname=f"{config['NAME']}_browser"[:63],
            autocommit=True,
        ) as connection:
            changed = connection.execute(statement, (True, login)).rowcount
    else:
        import sqlite3

        [path] = sorted(Path(tmp_path_factory.getbasetemp()).glob("browser-db[0-9]*/browser.sqlite3"))
        with closing(sqlite3.connect(path)) as connection, connection:
            changed = connection.execute(statement.replace("%s", "?"), (True, login)).rowcount
    assert changed == 1, f"no user {login} in the server's database"
