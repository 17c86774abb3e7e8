"""Last activity: whether a user is online (any open connection, in any process) or how long ago
they were last seen, and live announcements to the connections that subscribed to a user.

Subscribers listen at one hub address per watched user, so an announcement made by whichever
process saw the user's first connection open (or last one close) reaches them in every process."""

import time

from accounts.models import User
from events.delivery import send_to_addresses
from events.kinds import LastActivity
from realtime import presence
from realtime.db import run_in_db

ONLINE = "online"


def activity_group(user_id: int) -> str:
    """The hub address of the connections watching this user's last activity."""
    return f"activity.{int(user_id)}"


async def announce(user_id: int, *, online: bool) -> None:
    """Tell the user's watchers that they came online, or went offline just now (0 seconds ago)."""
    event = LastActivity(recipients=(), actor_id=user_id, user_id=user_id, seconds_ago=None if online else 0)
    await send_to_addresses([activity_group(user_id)], event)


def _last_seen(user_ids: list[int]) -> dict[int, float]:
    rows = User.objects.filter(pk__in=user_ids, is_active=True).values_list("pk", "last_activity_at", "date_joined")
    return {pk: (seen or joined).timestamp() for pk, seen, joined in rows}


async def last_activity(user_ids: list[int]) -> dict[int, str | int]:
    """For each existing user: "online", or the whole seconds since they were last seen."""
    seen = await run_in_db(_last_seen, user_ids)
    online = await presence.online_user_ids(list(seen))
    now = time.time()
    return {uid: ONLINE if uid in online else max(0, int(now - seen[uid])) for uid in user_ids if uid in seen}
