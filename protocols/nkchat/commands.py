"""NkCHAT's `chat` commands: user, conversation and message; each parses, calls a service, renders.

Commands without a documented result (delete, update, add_members, remove_members) answer `{}`;
`get` answers the object itself; `search` answers `{total, data: [objects]}`.
"""

from typing import Any, ClassVar

from accounts import selectors as account_selectors
from accounts import services as account_services
from chats import access as chat_access
from chats import conversations
from chats import selectors as chat_selectors
from chats.models import Conversation
from config.errors import Forbidden, Invalid, NotFound
from messaging import access as message_access
from messaging import editing, search
from messaging.sending import SendRequest
from protocols.nkchat import render
from protocols.nkchat.render import wire_id
from realtime import send_batches
from realtime.adapter import call, to_ids


def _user_ids(data: dict[str, Any], *, required: bool) -> list[int]:
    value = data.get("user_ids")
    if value is None and not required:
        return []
    ids = to_ids(value, "user_ids")
    if required and not ids:
        raise Invalid("user_ids must not be empty")
    return ids


def _text(data: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise Invalid(f"{key} must be a string")
    return value


class NkchatCommandsMixin:
    """The handlers of `chat/<subclass>/<cmd>`; `self.user` is the logged-in user."""

    name: ClassVar[str]
    user: Any
    connection: Any
    client_address: str

    @property
    def origin(self) -> str:
        return self.connection.connection_id

    async def _search(self, data: dict[str, Any], spec: render.SearchSpec, function: Any, to_wire: Any) -> dict:
        params, fields = render.search_params(data, spec)
        page: search.Page = await call(function, self.user, **params)
        return {"total": page.total, "data": [render.pick(to_wire(obj), fields, spec.id_field) for obj in page.items]}

    # --- users ---------------------------------------------------------------------------------

    async def user_create(self, data: dict[str, Any]) -> dict:
        user = await call(
            account_services.user_create,
            login=data.get("login"),
            password=data.get("password"),
            first_name=_text(data, "name", required=False),
            last_name=_text(data, "surname", required=False),
            address=self.client_address,
        )
        return {"user_id": str(user.pk)}

    async def user_get(self, data: dict[str, Any]) -> dict:
        users = await call(account_selectors.users_by_ids, [wire_id(data, "user_id")])
        if not users:
            raise NotFound("User not found", code="user_not_found")
        return render.user(users[0])

    async def user_delete(self, data: dict[str, Any]) -> dict:
        user_id = wire_id(data, "user_id")
        await call(account_services.user_delete_as, self.user, user_id=user_id)
        if user_id == self.user.pk:
            await self.connection.unbind()
        return {}

    async def user_search(self, data: dict[str, Any]) -> dict:
        return await self._search(data, render.USER_SEARCH, search.user_search_page, render.user)

    # --- conversations -------------------------------------------------------------------------

    async def conversation_create(self, data: dict[str, Any]) -> dict:
        conversation, _ = await call(
            conversations.conversation_create,
            self.user,
            type=Conversation.GROUP,
            name=data.get("name"),
            description=data.get("description"),
            # The service always makes the creator a participant, named in user_ids or not.
            participant_ids=_user_ids(data, required=False),
            origin=self.origin,
        )
        return {"conversation_id": str(conversation.pk)}

    async def conversation_get(self, data: dict[str, Any]) -> dict:
        conversation = await call(chat_access.access_conversation, self.user, wire_id(data, "conversation_id"))
        return render.conversation(conversation)

    async def conversation_delete(self, data: dict[str, Any]) -> dict:
        conversation_id = wire_id(data, "conversation_id")
        await call(
            conversations.conversation_delete_for_everyone,
            self.user,
            conversation_id=conversation_id,
            origin=self.origin,
        )
        return {}

    async def conversation_add_members(self, data: dict[str, Any]) -> dict:
        await call(
            conversations.conversation_update,
            self.user,
            conversation_id=wire_id(data, "conversation_id"),
            add_ids=_user_ids(data, required=True),
            origin=self.origin,
        )
        return {}

    async def conversation_remove_members(self, data: dict[str, Any]) -> dict:
        await call(
            conversations.conversation_update,
            self.user,
            conversation_id=wire_id(data, "conversation_id"),
            remove_ids=_user_ids(data, required=True),
            origin=self.origin,
        )
        return {}

    async def conversation_get_members(self, data: dict[str, Any]) -> dict:
        conversation_id = wire_id(data, "conversation_id")
        users, members = await call(chat_selectors.participants_of_conversations, self.user, [conversation_id])
        if conversation_id not in members:
            raise NotFound("Conversation not found", code="conversation_not_found")
        return {"user_ids": [str(uid) for uid in members[conversation_id]], "users": [render.user(u) for u in users]}

    async def conversation_search(self, data: dict[str, Any]) -> dict:
        return await self._search(
            data, render.CONVERSATION_SEARCH, search.conversation_search_page, render.conversation
        )

    # --- messages ------------------------------------------------------------------------------

    async def message_create(self, data: dict[str, Any]) -> dict:
        conversation_id = wire_id(data, "conversation_id")
        if data.get("user_id") is not None and wire_id(data, "user_id") != self.user.pk:
            raise Forbidden("user_id must be the logged-in user", code="not_self")
        message, _ = await send_batches.send(
            SendRequest(
                actor=self.user, conversation_id=conversation_id, body=_text(data, "message"), origin=self.origin
            ),
            protocol=self.name,
        )
        return {"message_id": str(message.pk)}

    async def message_get(self, data: dict[str, Any]) -> dict:
        message = await call(message_access.access_message, self.user, wire_id(data, "message_id"))
        return render.message(message)

    async def message_delete(self, data: dict[str, Any]) -> dict:
        await call(
            editing.message_delete,
            self.user,
            conversation_id=wire_id(data, "conversation_id"),
            message_ids=[wire_id(data, "message_id")],
            everyone=True,
            origin=self.origin,
        )
        return {}

    async def message_update(self, data: dict[str, Any]) -> dict:
        conversation_id, message_id = wire_id(data, "conversation_id"), wire_id(data, "message_id")
        body = _text(data, "message")
        await call(self._message_update, conversation_id, message_id, body)
        return {}

    def _message_update(self, conversation_id: int, message_id: int, body: str) -> None:
        message_access.access_message(self.user, message_id, conversation_id=conversation_id)
        editing.message_edit(self.user, message_id=message_id, body=body, origin=self.origin)

    async def message_search(self, data: dict[str, Any]) -> dict:
        return await self._search(data, render.MESSAGE_SEARCH, search.message_search_page, render.message)
