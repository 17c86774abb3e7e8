"""A real server (daphne on a free port, its own database) and Debian's chromium driven by Playwright.

pytest-django's `live_server` is WSGI only and serves no WebSockets, so the page is tested against
daphne in a subprocess, the way `make serve` runs it (with DEBUG off, so static files come from
whitenoise as in production). The database is a fresh SQLite file, or, when DATABASE_URL names
PostgreSQL, a dedicated database `<name>_browser` created and dropped here."""

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 780}
DESKTOP = {"width": 1200, "height": 800}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_admin(config: dict):
    import psycopg

    return psycopg.connect(
        host=config.get("HOST") or "127.0.0.1",
        port=config.get("PORT") or 5432,
        user=config.get("USER") or "postgres",
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


def _drop_postgres(config: dict, name: str) -> None:
    from psycopg import sql

    with _postgres_admin(config) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _database(tmp_dir: Path) -> tuple[str, Callable[[], None]]:
    """A database URL for the server under test, and how to remove that database afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp_dir / 'browser.sqlite3'}", lambda: None
    from psycopg import sql

    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_browser"[:63]
    _drop_postgres(config, name)
    with _postgres_admin(config) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}")), lambda: _drop_postgres(config, name)


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"daphne did not start:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="package")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a daphne process serving the whole application on a fresh database."""
    database_url, drop_database = _database(tmp_path_factory.mktemp("browser-db"))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CHANNEL_LAYER_PREFIX": f"browser{secrets.token_hex(4)}",
        "ACCESS_LOG_LEVEL": "WARNING",
        # Uploaded attachments go to a temporary directory, not the checkout's media/.
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("browser-media")),
        # Every page signs up from 127.0.0.1, more than REGISTER_RATE's default a minute allows.
        "REGISTER_RATE": "1000/min",
    }
    try:
        migrate = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        ARTIFACTS.mkdir(exist_ok=True)
        log = ARTIFACTS / "browser-server.log"
        port = _free_port()
        with log.open("w") as log_file:
            process = subprocess.Popen(
                [sys.executable, "-m", "config.server", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
                cwd=ROOT,
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_for_port(port, process, log)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    finally:
        drop_database()


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    """Debian's chromium, headless, driven by Playwright (no browser download)."""
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)"
        if os.environ.get("BROWSER_TESTS_REQUIRED"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _console_error(message) -> bool:
    """A console error, other than the browser's note on an HTTP error answer (a 401 from /login
    is how the page learns it is signed out)."""
    return message.type == "error" and not message.text.startswith("Failed to load resource")


@pytest.fixture
def new_page(browser, server_url: str) -> Iterator[Callable[..., object]]:
    """Open the web client in a fresh browser context (its own cookies and storage: one person).

    Fails the test if a page logged a JavaScript error."""
    contexts, errors = [], []

    def open_page(viewport: dict | None = None, before_load: Callable | None = None):
        context = browser.new_context(viewport=viewport or DESKTOP, base_url=server_url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
        page.on("console", lambda msg: _console_error(msg) and errors.append(f"console: {msg.text}"))
        if before_load is not None:
            before_load(page)
        page.goto("/")
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, errors
