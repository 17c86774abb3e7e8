"""SAMA's operations log: `op_log_list` replays the events a user was sent (or missed while
offline), each rendered as the frame SAMA would have delivered to this user."""

import json
from typing import Any

from config.errors import Invalid
from messaging import selectors as message_selectors
from messaging.models import OpLogEntry
from realtime.events import EVENT_KINDS
from realtime.protocols import sama_render as render
from realtime.protocols.base import call, logger
from realtime.protocols.sama_args import ms_bounds, params


class SamaOpLogMixin:
    """`op_log_list {created_at: {gt | lt: ms}}` -> `{logs: [{_id, user_id, packet, created_at}]}`."""

    user: Any
    render_event: Any  # ProtocolAdapter's

    async def op_log_list(self, p: object) -> dict:
        q = params(p, "op_log_list")
        created = q.get("created_at")
        if not isinstance(created, dict):
            raise Invalid("created_at with gt or lt is required")
        after, before = ms_bounds(created, "created_at")
        if after is None and before is None:
            raise Invalid("created_at.gt or created_at.lt is required")
        entries = await call(message_selectors.oplog_list, self.user, after=after, before=before)
        return {"logs": self._oplog_render(entries)}

    def _oplog_render(self, entries: list[OpLogEntry]) -> list[dict[str, Any]]:
        logs = []
        for entry in entries:
            cls = EVENT_KINDS.get(entry.kind)
            if cls is None:
                continue
            try:
                frames = self.render_event(cls(recipients=(), **entry.payload), is_origin=False)
            except Exception:
                logger.exception("sama: cannot replay op log entry %s (%s)", entry.pk, entry.kind)
                continue
            base = {"_id": str(entry.pk), "user_id": str(entry.user_id)}
            created_at = render.iso(entry.created_at.timestamp())
            for frame in frames:
                packet = json.loads(frame) if isinstance(frame, str) else frame  # a shared frame's text
                logs.append({**base, "packet": packet, "created_at": created_at})
        return logs
