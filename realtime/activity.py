"""Live announcements of a user's coming online or going offline, to the connections that watch
them (whether a user is online now: `realtime.presence.last_activity`).

Subscribers listen at one hub address per watched user, so an announcement made by whichever
process saw the user's first connection open (or last one close) reaches them in every process."""

import time

from events.delivery import send_to_addresses
from events.kinds import LastActivity


def activity_group(user_id: int) -> str:
    """The hub address of the connections watching this user's last activity."""
    return f"activity.{int(user_id)}"


async def announce(user_id: int, *, online: bool) -> None:
    """Tell the user's watchers that they came online, or went offline just now."""
    last_seen_at = None if online else int(time.time())
    event = LastActivity(recipients=(), actor_id=user_id, user_id=user_id, last_seen_at=last_seen_at)
    await send_to_addresses([activity_group(user_id)], event)
