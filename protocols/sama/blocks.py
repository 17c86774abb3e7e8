"""SAMA's block list: `block_user`, `unblock_user`, `list_blocked_users`."""

from typing import Any

from accounts import blocking
from protocols.sama.args import params
from realtime.adapter import call, to_ids


class SamaBlocksMixin:
    """Request handlers for blocking users; the rules live in `accounts.blocking`."""

    user: Any

    async def block_user(self, p: object) -> dict:
        ids = to_ids(params(p, "block_user").get("ids"), "ids", limit=blocking.IDS_MAX)
        await call(blocking.users_block, self.user, user_ids=ids)
        return {"success": True}

    async def unblock_user(self, p: object) -> dict:
        ids = to_ids(params(p, "unblock_user").get("ids"), "ids", limit=blocking.IDS_MAX)
        await call(blocking.users_unblock, self.user, user_ids=ids)
        return {"success": True}

    async def list_blocked_users(self, p: object) -> dict:
        params(p, "list_blocked_users")
        ids = await call(blocking.blocked_user_ids, self.user)
        return {"users": [str(i) for i in ids]}
