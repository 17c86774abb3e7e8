"""`manage.py push_worker`: send queued push notifications until stopped."""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from prometheus_client import start_http_server

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
        if not settings.PUSH_WORKER_METRICS_PORT:
            worker.run_forever(poll)
            return
        # The worker's own metrics (its tries by outcome, the queue's depth) for Prometheus, served
        # by prometheus_client on a thread of their own while the worker works.
        server, thread = start_http_server(settings.PUSH_WORKER_METRICS_PORT, addr=settings.PUSH_WORKER_METRICS_ADDRESS)
        try:
            worker.run_forever(poll)
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
