"""Protocol-neutral plain-data views of users, carried in events and rendered by adapters."""

from datetime import datetime
from typing import Any

from accounts.models import User


def timestamp(value: datetime | None) -> float | None:
    """A datetime as Unix seconds (float), or None."""
    return value.timestamp() if value is not None else None


def user_snapshot(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "login": user.username,
        "sid": user.sid,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": user.phone,
        "about": user.about,
        "last_activity_at": timestamp(user.last_activity_at),
        "created_at": timestamp(user.date_joined),
        "updated_at": timestamp(user.updated_at),
    }


def user_brief(user: User) -> dict:
    """A user as a stored notice names them (kept with the message, so it outlives later changes)."""
    return {
        "id": user.pk,
        "login": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "last_activity_at": timestamp(user.last_activity_at),
    }
