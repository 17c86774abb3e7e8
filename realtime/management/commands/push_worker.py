"""`manage.py push_worker`: send queued push notifications until stopped."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from realtime.push import worker


class Command(BaseCommand):
    help = "Send queued push notifications (Web Push, FCM, APNs), retrying temporary failures."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="Do one round of work and exit.")
        parser.add_argument("--poll", type=float, default=1.0, help="Seconds to sleep when there is no work.")

    def handle(self, *args: Any, once: bool = False, poll: float = 1.0, **options: Any) -> None:
        if once:
            self.stdout.write(f"{worker.run_once()} push items processed")
            return
        worker.run_forever(poll)
