"""SAMA over WebSocket: `{request: {<name>: {...}, id}}`, `message`, `system_message`, `typing`."""

from typing import Any, ClassVar

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts import tokens
from chats import conversations, membership
from chats import selectors as chat_selectors
from config.errors import Invalid, NotAuthenticated, ServiceError
from messaging import editing, inbox, live_notices, reactions, receipts, system_messages
from messaging import selectors as message_selectors
from messaging.sending import SendRequest
from messaging.snapshots import message_snapshot
from protocols.sama import args, render
from protocols.sama.event_frames import SamaEventsMixin
from protocols.sama.extras import EXTRA_REQUESTS, SamaExtrasMixin
from realtime import send_batches
from realtime.adapter import ProtocolAdapter, call, logger, to_id, to_ids

ANONYMOUS_REQUESTS = {"user_create", "user_login", "connect", "user_send_otp", "user_reset_password"}
LAST_ACTIVITY_IDS_MAX = 10


class SamaAdapter(SamaEventsMixin, SamaExtrasMixin, ProtocolAdapter):
    name = "sama"

    # --- decoding and dispatch -----------------------------------------------------------------

    async def dispatch(self, frame: dict[str, Any]) -> None:
        if "request" in frame:
            await self.dispatch_request(frame["request"])
        elif "message" in frame:
            await self.on_message(frame["message"])
        elif "system_message" in frame:
            await self.on_system_message(frame["system_message"])
        elif "typing" in frame:
            await self.on_typing(frame["typing"])
        elif "id" in frame:
            # get_users_by_ids as the document shows it, without the `request` wrapper.
            await self.dispatch_request(frame)
        else:
            raise Invalid("Unknown frame")

    async def dispatch_request(self, request: object) -> None:
        if not isinstance(request, dict):
            raise Invalid("request must be an object")
        names = [key for key in request if key != "id"]
        if len(names) != 1 or names[0] not in self.REQUESTS:
            raise Invalid("Unknown request")
        name = names[0]
        if name not in ANONYMOUS_REQUESTS and self.user is None:
            raise NotAuthenticated("Unauthorized")
        body = await getattr(self, self.REQUESTS[name])(request[name])
        await self.send({"response": {"id": request.get("id"), **body}})

    async def send_error(self, frame: dict[str, Any] | None, error: ServiceError) -> None:
        """A failed request as `{response: {id, error}}`, a failed message or system message as
        `{message|system_message: {id, error}}`; typing is never answered."""
        kind = next((key for key in ("request", "message", "system_message", "typing") if key in (frame or {})), "")
        if kind == "typing":
            logger.debug("sama: typing ignored: %s", error.message)
            return
        inner = (frame or {}).get(kind) if kind else frame
        request_id = inner.get("id") if isinstance(inner, dict) else None
        envelope = "response" if kind in ("request", "") else kind
        await self.send({envelope: {"id": request_id, "error": render.error(error.status, error.message)}})

    # --- users ---------------------------------------------------------------------------------

    async def user_create(self, params: object) -> dict:
        p = args.params(params, "user_create")
        fields = {k: p.get(k) for k in ("login", "password", "email", "phone", "first_name", "last_name")}
        user = await call(account_services.user_create, address=self.client_address, **fields)
        return {"user": render.user(user)}

    async def connect(self, params: object) -> dict:
        p = args.params(params, "connect")
        session = await call(tokens.session_from_access_token, p.get("token"))
        await self.connection.bind(session.user, session)
        return {"success": True}

    async def user_login(self, params: object) -> dict:
        p = args.params(params, "user_login")
        if p.get("token") is not None:
            session = await call(tokens.session_sign_in, p.get("token"), address=self.client_address)
        else:
            credentials = {"login": p.get("login"), "password": p.get("password"), "address": self.client_address}
            user = await call(account_services.user_authenticate, **credentials)
            session = await call(account_services.device_session_open, user, device_id=p.get("device_id"))
        access, _refresh, _expiry = await call(tokens.tokens_issue, session)
        await self.connection.bind(session.user, session)
        return {"user": render.user(session.user), "token": access}

    async def _sign_out(self) -> None:
        """Detach the connection from its user, ending what it subscribed to while signed in."""
        await self._activity_unsubscribe(list(self.activity_subscriptions))
        await self.connection.unbind()

    async def user_logout(self, params: object) -> dict:
        session = self.connection.session
        await self._sign_out()
        if session is not None:
            await call(account_services.device_session_close, session)
        return {"success": True}

    async def user_edit(self, params: object) -> dict:
        p = args.params(params, "user_edit")
        fields = {k: p[k] for k in ("login", "email", "phone", "first_name", "last_name") if k in p}
        user = await call(
            account_services.user_update,
            self.user,
            current_password=p.get("current_password"),
            new_password=p.get("new_password"),
            address=self.client_address,
            **fields,
        )
        rendered = render.user(user)
        return {"user": {**rendered, "id": rendered["_id"]}}

    async def user_delete(self, params: object) -> dict:
        user = self.user
        await self._sign_out()
        await call(account_services.user_delete, user)
        return {"success": True}

    async def user_search(self, params: object) -> dict:
        p = args.params(params, "user_search")
        keyword = p.get("keyword") or ""
        if not isinstance(keyword, str):
            raise Invalid("keyword must be a string")
        after, before = args.ms_bounds(p.get("updated_at"), "updated_at")
        ignore = to_ids(p.get("ignore_ids") or [], "ignore_ids")
        users = await call(
            account_selectors.user_search,
            keyword=keyword,
            limit=args.limit(p.get("limit")) or account_selectors.SEARCH_LIMIT_MAX,
            updated_after=after,
            updated_before=before,
            ignore_ids=[*ignore, self.user.pk],
        )
        return {"users": [render.user(u) for u in users]}

    async def get_users_by_ids(self, params: object) -> dict:
        ids = to_ids(args.params(params, "get_users_by_ids").get("ids"), "ids", limit=100)
        users = await call(account_selectors.users_by_ids, ids)
        return {"users": [render.user(u) for u in users]}

    # --- conversations -------------------------------------------------------------------------

    async def conversation_create(self, params: object) -> dict:
        p = args.params(params, "conversation_create")
        conversation, _ = await call(
            conversations.conversation_create,
            self.user,
            type=p.get("type"),
            name=p.get("name"),
            description=p.get("description"),
            participant_ids=to_ids(p.get("participants") or [], "participants"),
            origin=self.connection.connection_id,
        )
        return {"conversation": render.conversation(conversation)}

    async def conversation_update(self, params: object) -> dict:
        p = args.params(params, "conversation_update")
        participants = args.params(p.get("participants"), "participants")
        conversation = await call(
            conversations.conversation_update,
            self.user,
            conversation_id=to_id(p.get("id")),
            name=p.get("name"),
            description=p.get("description"),
            add_ids=to_ids(participants.get("add") or [], "participants.add"),
            remove_ids=to_ids(participants.get("remove") or [], "participants.remove"),
            origin=self.connection.connection_id,
        )
        return {"conversation": render.conversation(conversation)}

    async def conversation_delete(self, params: object) -> dict:
        cid = to_id(args.params(params, "conversation_delete").get("id"))
        await call(
            membership.conversation_leave,
            self.user,
            conversation_id=cid,
            origin=self.connection.connection_id,
        )
        return {"success": True}

    async def conversation_list(self, params: object) -> dict:
        p = args.params(params, "conversation_list")
        after, before = args.ms_bounds(p.get("updated_at"), "updated_at")
        ids = to_ids(p["ids"], "ids", limit=100) if p.get("ids") is not None else None
        conversations = await call(
            self._conversation_list, limit=args.limit(p.get("limit")), after=after, before=before, ids=ids
        )
        return {"conversations": conversations}

    def _conversation_list(self, **filters: Any) -> list[dict]:
        entries = inbox.conversation_list(
            self.user,
            limit=filters["limit"],
            updated_after=filters["after"],
            updated_before=filters["before"],
            ids=filters["ids"],
        )
        last = message_selectors.messages_by_ids([e.last_message_id for e in entries if e.last_message_id])
        read = message_selectors.read_message_ids(list(last.values()))
        summaries = reactions.reactions_summaries(self.user, list(last))
        rendered = []
        for e in entries:
            m = last.get(e.last_message_id) if e.last_message_id else None
            snapshot = message_snapshot(m, m.sender, e.conversation.type) if m else None
            last_message = (
                render.message(snapshot, read=m.pk in read, reactions=render.reactions_summary(summaries.get(m.pk)))
                if m and snapshot
                else None
            )
            rendered.append(
                render.conversation(
                    e.conversation, last_message=last_message, unread=e.unread_count, settings=e.participation
                )
            )
        return rendered

    async def get_participants_by_cids(self, params: object) -> dict:
        cids = to_ids(args.params(params, "get_participants_by_cids").get("cids"), "cids", limit=100)
        users, conversations = await call(chat_selectors.participants_of_conversations, self.user, cids)
        return {
            "users": [render.user(u) for u in users],
            "conversations": {str(cid): [str(uid) for uid in uids] for cid, uids in conversations.items()},
        }

    async def conversation_search(self, params: object) -> dict:
        p = args.params(params, "conversation_search")
        name = p.get("name") or ""
        if not isinstance(name, str):
            raise Invalid("name must be a string")
        after, before = args.ms_bounds(p.get("updated_at"), "updated_at")
        found = await call(
            chat_selectors.conversation_search,
            self.user,
            name=name,
            limit=args.limit(p.get("limit")),
            updated_after=after,
            updated_before=before,
        )
        return {"conversations": [render.conversation(c) for c in found]}

    # --- messages ------------------------------------------------------------------------------

    async def on_message(self, params: object) -> None:
        if self.user is None:
            raise NotAuthenticated("Unauthorized")
        p = args.params(params, "message")
        client_id = p.get("id")
        message, _ = await send_batches.send(
            SendRequest(
                actor=self.user,
                conversation_id=to_id(p.get("cid"), "cid"),
                body=p.get("body"),
                x=p.get("x"),
                attachments=p.get("attachments"),
                client_id=client_id,
                replied_message_id=p.get("replied_message_id"),
                forwarded_message_id=p.get("forwarded_message_id"),
                origin=self.connection.connection_id,
            ),
            protocol=self.name,
        )
        ack = {"mid": client_id, "server_mid": str(message.pk), "t": int(message.created_at.timestamp())}
        await self.send({"ack": ack, "ask": ack})

    async def on_system_message(self, params: object) -> None:
        if self.user is None:
            raise NotAuthenticated("Unauthorized")
        p = args.params(params, "system_message")
        await call(
            system_messages.system_message_send,
            self.user,
            client_id=p.get("id"),
            x=p.get("x"),
            conversation_id=to_id(p["cid"], "cid") if p.get("cid") is not None else None,
            user_ids=to_ids(p["uids"], "uids") if p.get("uids") is not None else None,
            origin=self.connection.connection_id,
        )

    async def on_typing(self, params: object) -> None:
        """Typing gets no answer, not even for a bad frame (`send_error`); it is only relayed."""
        if self.user is None or not isinstance(params, dict):
            return
        await call(
            live_notices.typing_notify,
            self.user,
            conversation_id=to_id(params.get("cid"), "cid"),
            origin=self.connection.connection_id,
        )

    async def message_list(self, params: object) -> dict:
        p = args.params(params, "message_list")
        after, before = args.ms_bounds(p.get("updated_at"), "updated_at")
        ids = to_ids(p["ids"], "ids", limit=message_selectors.LIST_IDS_MAX) if p.get("ids") is not None else None
        messages = await call(
            self._message_list,
            conversation_id=to_id(p.get("cid"), "cid"),
            limit=args.limit(p.get("limit")),
            after=after,
            before=before,
            ids=ids,
        )
        return {"messages": messages}

    def _message_list(self, **filters: Any) -> list[dict]:
        """The page, with each message's read status and reactions: one hop to the database thread."""
        messages = message_selectors.message_list(self.user, **filters)
        read = message_selectors.read_message_ids(messages)
        summaries = reactions.reactions_summaries(self.user, [m.pk for m in messages])
        return [
            render.message(
                message_snapshot(m, m.sender, ""),
                read=m.pk in read,
                reactions=render.reactions_summary(summaries.get(m.pk)),
            )
            for m in messages
        ]

    async def message_read(self, params: object) -> dict:
        p = args.params(params, "message_read")
        ids = to_ids(p["ids"], "ids") if p.get("ids") is not None else None
        await call(
            receipts.message_read,
            self.user,
            conversation_id=to_id(p.get("cid"), "cid"),
            message_ids=ids,
            origin=self.connection.connection_id,
        )
        return {"success": True}

    async def message_delete(self, params: object) -> dict:
        p = args.params(params, "message_delete")
        if p.get("type") not in ("myself", "all"):
            raise Invalid("type must be 'myself' or 'all'")
        await call(
            editing.message_delete,
            self.user,
            conversation_id=to_id(p.get("cid"), "cid"),
            message_ids=to_ids(p.get("ids"), "ids"),
            everyone=p["type"] == "all",
            origin=self.connection.connection_id,
        )
        return {"success": True}

    async def message_edit(self, params: object) -> dict:
        p = args.params(params, "message_edit")
        if not isinstance(p.get("body"), str):
            raise Invalid("body must be a string")
        await call(
            editing.message_edit,
            self.user,
            message_id=to_id(p.get("id")),
            body=p["body"],
            origin=self.connection.connection_id,
        )
        return {"success": True}

    REQUESTS: ClassVar[dict[str, str]] = {
        name: name
        for name in (
            "user_create",
            "connect",
            "user_login",
            "user_logout",
            "user_edit",
            "user_delete",
            "user_search",
            "get_users_by_ids",
            "conversation_create",
            "conversation_update",
            "conversation_delete",
            "conversation_list",
            "get_participants_by_cids",
            "conversation_search",
            "message_list",
            "message_read",
            "message_delete",
            "message_edit",
        )
    } | EXTRA_REQUESTS
