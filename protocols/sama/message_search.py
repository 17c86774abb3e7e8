"""`message_search {keyword, cids?, limit?}`: this server's extension to SAMA (the original server
has no message search); the rules live in `messaging.search.message_search`."""

from typing import Any

from messaging import search
from messaging.snapshots import message_snapshot
from protocols.sama import args, render
from realtime.adapter import call, to_ids


def _rendered(user: Any, **criteria: Any) -> list[dict]:
    """The matches as `message` frames carry them: one hop to the database thread."""
    return [render.message(message_snapshot(m, m.sender, "")) for m in search.message_search(user, **criteria)]


class SamaMessageSearchMixin:
    """Request handler for searching the text of the messages one sees."""

    user: Any

    async def message_search(self, p: object) -> dict:
        q = args.params(p, "message_search")
        cids = q.get("cids")
        messages = await call(
            _rendered,
            self.user,
            keyword=q.get("keyword"),
            conversation_ids=to_ids(cids, "cids", limit=search.KEYWORD_CONVERSATIONS_MAX) if cids is not None else None,
            limit=args.limit(q.get("limit")),
        )
        return {"messages": messages}
