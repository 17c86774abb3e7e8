"""`manage.py purge [--dry-run]`: apply every retention rule (docs/retention.md) and say how many
rows of each kind went; run daily by cron or a systemd timer."""

from argparse import ArgumentParser
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, OutputWrapper
from tqdm import tqdm

from accounts import retention as accounts_retention
from accounts.push import retention as push_retention
from config.batch_delete import Progress
from messaging import retention as messaging_retention

Rule = Callable[..., int]

# In the order they run: push deliveries before the events they belong to.
RULES: tuple[tuple[str, Rule], ...] = (
    ("device sessions", accounts_retention.device_sessions_purge),
    ("phone verification codes", accounts_retention.phone_verifications_purge),
    ("password reset codes", accounts_retention.password_reset_codes_purge),
    ("push deliveries", push_retention.push_deliveries_purge),
    ("push events", push_retention.push_events_purge),
    ("operations log entries", messaging_retention.oplog_entries_purge),
    ("admin sessions", accounts_retention.admin_sessions_purge),
)


class _Terminal:
    """The command's stderr as the plain stream a progress bar writes to: no newline added, no colour."""

    def __init__(self, wrapper: OutputWrapper) -> None:
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, style_func=lambda plain: plain, ending="")

    def flush(self) -> None:
        self.wrapper.flush()

    def isatty(self) -> bool:
        return self.wrapper.isatty()


class Command(BaseCommand):
    help = (
        "Remove expired device sessions, spent verification and password reset codes, finished pushes, "
        "old operations log entries and expired admin sessions; print how many of each."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would be removed; remove nothing.")

    def handle(self, *args: Any, dry_run: bool = False, verbosity: int = 1, **options: Any) -> None:
        terminal = _Terminal(self.stderr)
        counts = []
        for label, rule in RULES:
            # A bar on a terminal only (tqdm turns itself off on any other stream), never at verbosity 0.
            with tqdm(desc=label, unit=" rows", file=terminal, disable=None if verbosity else True, leave=False) as bar:
                progress: Progress = bar
                counts.append((label, rule(dry_run=dry_run, progress=progress)))
        if verbosity:
            self.stdout.write("Would remove (dry run, nothing removed):" if dry_run else "Removed:")
            for label, count in counts:
                self.stdout.write(f"  {label}: {count}")
