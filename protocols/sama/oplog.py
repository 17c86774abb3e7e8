"""SAMA's operations log: `op_log_list` replays the events a user was sent (or missed while
offline), each rendered as the frame SAMA would have delivered to this user."""

import json
from typing import Any

from config.errors import Invalid
from events.kinds import EVENT_KINDS, event_from_data
from messaging import oplog
from messaging.models import OpLogEntry
from protocols.sama import render
from protocols.sama.args import ms_bounds, params
from realtime.adapter import call, logger


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
        entries = await call(oplog.oplog_list, self.user, after=after, before=before)
        return {"logs": self._oplog_render(entries)}

    def _oplog_render(self, entries: list[OpLogEntry]) -> list[dict[str, Any]]:
        logs = []
        for entry in entries:
            cls = EVENT_KINDS.get(entry.kind)
            if cls is None:
                continue
            try:
                frames = self.render_event(event_from_data(cls, entry.payload), is_origin=False)
            except Exception:
                logger.exception("sama: cannot replay op log entry %s (%s)", entry.pk, entry.kind)
                continue
            base = {"_id": str(entry.pk), "user_id": str(entry.user_id)}
            created_at = render.iso(entry.created_at.timestamp())
            for frame in frames:
                packet = json.loads(frame) if isinstance(frame, str) else frame  # a shared frame's text
                if "system_message" in packet:  # stamped when rendered: the replay's is the entry's
                    packet["system_message"]["t"] = int(entry.created_at.timestamp())
                logs.append({**base, "packet": packet, "created_at": created_at})
        return logs
