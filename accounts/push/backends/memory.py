"""An in-memory push backend for tests: keeps what it sent, and can play a failing push service."""

from typing import ClassVar

from accounts.models import PushSubscription
from accounts.push.backends import PushBackend, PushFailed, PushGone


class MemoryBackend(PushBackend):
    """`outbox` holds (subscription id, payload); `gone` device ids answer "gone", and `failures`
    makes that many sends fail temporarily first."""

    outbox: ClassVar[list[tuple[int, dict]]] = []
    gone: ClassVar[set[str]] = set()
    failures: ClassVar[int] = 0

    @classmethod
    def reset(cls) -> None:
        cls.outbox.clear()
        cls.gone.clear()
        cls.failures = 0

    def send(self, subscription: PushSubscription, payload: dict) -> None:
        if subscription.device_udid in self.gone:
            raise PushGone("gone")
        if MemoryBackend.failures > 0:
            MemoryBackend.failures -= 1
            raise PushFailed("temporarily unavailable")
        self.outbox.append((subscription.pk, payload))
