"""This server's SAMA extension for each participant's own settings of a conversation (SAMA's
servers have none): `conversation_settings_update {cid, muted?, archived?}` answers
`{success: true}`; `conversation_list` items carry the caller's `muted` and `archived`. The rules
live in `chats.participant_settings`."""

from typing import Any

from chats import participant_settings
from config.errors import Invalid
from protocols.sama.args import params
from realtime.adapter import call, to_id

SETTINGS = ("muted", "archived")


def _flag(p: dict[str, Any], name: str) -> bool | None:
    """A setting given as true or false; absent or null leaves it as it is."""
    value = p.get(name)
    if value is not None and not isinstance(value, bool):
        raise Invalid(f"{name} must be true or false")
    return value


class SamaConversationSettingsMixin:
    """Request handlers for one's own settings of a conversation."""

    user: Any

    async def conversation_settings_update(self, p: object) -> dict:
        q = params(p, "conversation_settings_update")
        cid = to_id(q.get("cid"), "cid")
        muted, archived = _flag(q, "muted"), _flag(q, "archived")
        if muted is None and archived is None:
            raise Invalid("muted or archived is required")
        await call(
            participant_settings.participant_settings_update,
            self.user,
            conversation_id=cid,
            is_muted=muted,
            is_archived=archived,
        )
        return {"success": True}
