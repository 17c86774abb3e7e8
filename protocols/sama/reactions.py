"""SAMA's reactions (its newer API): `message_reactions_update {mid, add?, remove?}` and
`message_reactions_list {mid}`; the rules live in `messaging.reactions`."""

from typing import Any

from config.errors import Invalid, NotFound
from messaging import reactions
from protocols.sama.args import params
from realtime.adapter import call, to_id

# The original server's words for a bad message id, and for one it does not find (both 422).
INCORRECT_MESSAGE_ID = "Incorrect message ID."
MESSAGE_ID_NOT_FOUND = "Message ID not found."


def _mid(p: dict[str, Any]) -> int:
    try:
        return to_id(p.get("mid"), "mid")
    except Invalid:
        raise Invalid(INCORRECT_MESSAGE_ID, code="invalid_id") from None


async def _on_message(function: Any, *args: Any, **kwargs: Any) -> Any:
    """`call`, with a message the user does not see answered in SAMA's words."""
    try:
        return await call(function, *args, **kwargs)
    except NotFound as error:
        if error.code != "message_not_found":
            raise
        raise Invalid(MESSAGE_ID_NOT_FOUND, code="message_not_found") from None


class SamaReactionsMixin:
    """Request handlers for reactions to messages."""

    user: Any
    connection: Any

    async def message_reactions_update(self, p: object) -> dict:
        q = params(p, "message_reactions_update")
        await _on_message(
            reactions.message_reactions_update,
            self.user,
            message_id=_mid(q),
            add=q.get("add"),
            remove=q.get("remove"),
            origin=self.connection.connection_id,
        )
        return {"success": True}

    async def message_reactions_list(self, p: object) -> dict:
        mid = _mid(params(p, "message_reactions_list"))
        found = await _on_message(reactions.message_reactions_list, self.user, message_id=mid)
        return {"reactions": {reaction: [str(u) for u in users] for reaction, users in found.items()}}
