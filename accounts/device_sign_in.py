"""Chats REST sign-up and sign-in: an account or credentials plus a device session, in one step."""

import uuid
from typing import Any

from django.db import transaction

from accounts.models import DeviceSession, User
from accounts.services import device_session_open, user_create, user_update

DEVICE_INFO_FIELDS = ("id", "name", "model", "token", "transport")


def _device(user: User, device_info: dict[str, Any] | None) -> DeviceSession:
    info = {k: v for k, v in (device_info or {}).items() if k in DEVICE_INFO_FIELDS and v is not None}
    device_id = info.get("id") or str(uuid.uuid4())
    info["id"] = device_id
    return device_session_open(user, device_id=device_id, info=info)


@transaction.atomic
def user_register(
    *, username: object, password: object, name: object, device_info: dict[str, Any] | None, address: str
) -> DeviceSession:
    """Create an account and its first device session (a device without an id gets one); throttled
    per client `address` like every registration."""
    user = user_create(login=username, password=password, first_name=name or "", address=address)
    return _device(user, device_info)


@transaction.atomic
def user_sign_in(user: User, *, device_info: dict[str, Any] | None) -> DeviceSession:
    """Open (or resume) the device session of an authenticated user."""
    return _device(user, device_info)


def user_profile_update(user: User, *, name: object = None, about: object = None) -> User:
    """Set the one-line `name` (kept as the first name) and `about`."""
    fields: dict[str, Any] = {}
    if name is not None:
        fields.update(first_name=name, last_name="")
    if about is not None:
        fields["about"] = about
    return user_update(user, **fields)
