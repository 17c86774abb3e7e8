"""SAMA's last activity: `user_last_activity`, `user_last_activity_subscribe` / `_unsubscribe`."""

from typing import Any

from config.errors import Invalid, NotFound
from protocols.sama.args import params
from realtime import activity, presence
from realtime.adapter import to_id, to_ids

IDS_MAX = 10
SUBSCRIPTIONS_MAX = 100


class SamaPresenceMixin:
    """Last-activity requests; a subscription lasts as long as the connection (or until
    unsubscribed) and delivers `{last_activity: {<uid>: "online" | <last seen, Unix seconds>}}` frames."""

    user: Any
    connection: Any

    @property
    def activity_subscriptions(self) -> set[int]:
        return self.__dict__.setdefault("_activity_subscriptions", set())

    async def user_last_activity(self, p: object) -> dict:
        ids = to_ids(params(p, "user_last_activity").get("ids"), "ids", limit=IDS_MAX)
        values = await presence.last_activity(list(dict.fromkeys(ids)))
        return {"last_activity": {str(uid): value for uid, value in values.items()}}

    async def user_last_activity_subscribe(self, p: object) -> dict:
        uid = to_id(params(p, "user_last_activity_subscribe").get("id"))
        subscriptions = self.activity_subscriptions
        if uid not in subscriptions and len(subscriptions) >= SUBSCRIPTIONS_MAX:
            raise Invalid(f"At most {SUBSCRIPTIONS_MAX} subscriptions per connection", code="too_many_subscriptions")
        # Listen before reading the state, so no change falls in between.
        await self.connection.listen(activity.activity_group(uid))
        values = await presence.last_activity([uid])
        if uid not in values:
            if uid not in subscriptions:
                self.connection.unlisten(activity.activity_group(uid))
            raise NotFound("User not found", code="user_not_found")
        subscriptions.add(uid)
        return {"last_activity": {str(uid): values[uid]}}

    async def user_last_activity_unsubscribe(self, p: object) -> dict:
        """Without `id`, ends every subscription of this connection."""
        q = params(p, "user_last_activity_unsubscribe")
        targets = [to_id(q["id"])] if q.get("id") is not None else list(self.activity_subscriptions)
        await self._activity_unsubscribe(targets)
        return {"success": True}

    async def _activity_unsubscribe(self, user_ids: list[int]) -> None:
        for uid in user_ids:
            if uid in self.activity_subscriptions:
                self.activity_subscriptions.discard(uid)
                self.connection.unlisten(activity.activity_group(uid))

    async def on_disconnect(self) -> None:
        await self._activity_unsubscribe(list(self.activity_subscriptions))
        # A mixin: the ProtocolAdapter after it in SamaAdapter's MRO has on_disconnect.
        await super().on_disconnect()  # type: ignore[misc]
