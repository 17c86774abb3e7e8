"""Push tests' shared set-up: every platform on the in-memory backend, and a subscribed device."""

from collections.abc import Iterator
from typing import Any

from accounts.models import PushSubscription
from accounts.push.backends.memory import MemoryBackend

MEMORY = "accounts.push.backends.memory.MemoryBackend"


def pushes_in_memory(settings: Any, **push_settings: Any) -> Iterator[None]:
    """For a fixture to `yield from`: every platform pushes to the in-memory backend (emptied
    before and after), with these PUSH_* settings."""
    settings.PUSH_BACKENDS = {"web": MEMORY, "ios": MEMORY, "android": MEMORY}
    for name, value in push_settings.items():
        setattr(settings, name, value)
    MemoryBackend.reset()
    yield
    MemoryBackend.reset()


def subscribe(user: Any, udid: str) -> PushSubscription:
    """An iOS device of the user, subscribed to pushes."""
    return PushSubscription.objects.create(user=user, platform="ios", device_udid=udid, device_token=f"tok-{udid}")
