"""Hooligram V2 over WebSocket (`/v2`): `{id, payload, type}` actions, each answered with the
action's `_SUCCESS` or `_FAILURE` type and the same id; failures carry `{errors: [...]}`."""

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from accounts import phone_owners, verification
from accounts.models import User
from chats import conversations, membership
from chats.models import Conversation
from chats.snapshots import conversation_snapshot
from config.errors import Invalid, ServiceError
from messaging.sending import SendRequest
from protocols.hooligram import render
from protocols.hooligram.event_frames import HooligramEventsMixin
from realtime import backlog_batches, receipt_batches, send_batches
from realtime.adapter import ProtocolAdapter, call, logger, to_id

# Reasons for "you are not in this conversation", worded as the original server words them.
NOT_A_MEMBER = {
    "GROUP_LEAVE": "not in group",
    "GROUP_ADD_MEMBER": "not in group",
    "MESSAGING_SEND": "sender doesn't belong to message group",
}


def _action_base(action_type: str) -> str:
    """ "GROUP_CREATE_REQUEST" -> "GROUP_CREATE" (likewise for _SUCCESS and _FAILURE)."""
    return action_type.rsplit("_", 1)[0]


def _reason(error: ServiceError, base: str) -> str:
    """A domain error as one short Hooligram reason."""
    if error.code == "conversation_not_found" and base in NOT_A_MEMBER:
        return NOT_A_MEMBER[base]
    if error.status == 500:
        return "server error"
    message = error.message
    return message if message[1:2].isupper() else message[:1].lower() + message[1:]


def _string(payload: dict[str, Any], field: str) -> str:
    value = payload.get(field)
    if not isinstance(value, str):
        raise Invalid(f"{field} not in payload")
    return value


def _id(payload: dict[str, Any], field: str) -> int:
    if payload.get(field) is None:
        raise Invalid(f"{field} not in payload")
    return to_id(payload[field], field)


def _echoed(value: object) -> Any:
    """The action id as answers echo it: a string or integer, anything else as null."""
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None


def _valid_action_id(value: object) -> bool:
    return (isinstance(value, str) and value != "") or (isinstance(value, int) and not isinstance(value, bool))


class HooligramAdapter(HooligramEventsMixin, ProtocolAdapter):
    name = "hooligram"

    def __init__(self, connection: Any) -> None:
        super().__init__(connection)
        self.requested_phone: tuple[str, str] | None = None
        self.backlog_ids: set[int] = set()

    # --- decoding and dispatch -----------------------------------------------------------------

    async def dispatch(self, frame: dict[str, Any]) -> None:
        """Validate the action's envelope, check sign-in, run its handler and answer it."""
        action_type, action_id = frame.get("type"), _echoed(frame.get("id"))
        if not isinstance(action_type, str) or (handler_name := self.ACTIONS.get(action_type)) is None:
            named = isinstance(action_type, str) and action_type != ""
            reason = f"unknown action type {action_type:.100}" if named else "type not in action"
            await self.send(render.failure(action_id, render.GENERIC_FAILURE, reason))
            return
        base = _action_base(action_type)
        failure_type = f"{base}_FAILURE"
        payload = frame.get("payload", {})
        if not _valid_action_id(action_id):
            await self.send(render.failure(action_id, failure_type, "id not in action"))
            return
        if not isinstance(payload, dict):
            await self.send(render.failure(action_id, failure_type, "payload not in action"))
            return
        if base not in ANONYMOUS and self.user is None:
            await self.send(render.failure(action_id, failure_type, "not signed in"))
            return
        handler: Callable[[Any, dict], Awaitable[dict | None]] = getattr(self, handler_name)
        answer = await handler(action_id, payload)
        if answer is not None:
            await self.send(render.action(action_id, f"{base}_SUCCESS", answer))

    async def send_error(self, frame: dict[str, Any] | None, error: ServiceError) -> None:
        """A failed action as its `_FAILURE` type with its id; a frame that is no known action
        (too large, not JSON, not an object, bad text) as the generic failure."""
        action_type = (frame or {}).get("type")
        known = action_type if isinstance(action_type, str) and action_type in self.ACTIONS else None
        base = _action_base(known) if known is not None else ""
        failure_type = f"{base}_FAILURE" if known is not None else render.GENERIC_FAILURE
        await self.send(render.failure(_echoed((frame or {}).get("id")), failure_type, _reason(error, base)))

    # --- verification and sign-in --------------------------------------------------------------

    async def request_code(self, action_id: Any, payload: dict) -> dict:
        """Register the phone and text it a code; the phone is remembered for the submit."""
        user: User = await call(
            verification.verification_request,
            country_code=_string(payload, "country_code"),
            phone_number=_string(payload, "phone_number"),
            address=self.client_address,
        )
        self.requested_phone = (user.country_code, user.phone_number)
        return {}

    async def submit_code(self, action_id: Any, payload: dict) -> dict:
        """Check the code sent to the phone this connection requested one for."""
        code = _string(payload, "verification_code")
        if self.requested_phone is None:
            raise Invalid("verification code not requested")
        country_code, phone_number = self.requested_phone
        await call(
            verification.verification_submit,
            country_code=country_code,
            phone_number=phone_number,
            code=code,
            address=self.client_address,
        )
        return {}

    async def sign_in(self, action_id: Any, payload: dict) -> None:
        """Sign the connection in, then deliver every group of the user and every message not yet
        acknowledged. The connection joins the user's event group before the backlog is read (with
        the other sign-ins of the process under way), so nothing falls in between; a live copy of a
        backlog message is dropped by id."""
        user = await verification.phone_sign_in_on_loop(
            country_code=_string(payload, "country_code"),
            phone_number=_string(payload, "phone_number"),
            code=_string(payload, "verification_code"),
            address=self.client_address,
            run=call,
        )
        await self.connection.bind(user)
        backlog = backlog_batches.backlog_requested(user.pk)
        try:
            await self.send(render.action(action_id, "AUTHORIZATION_SIGN_IN_SUCCESS", {}))
        except BaseException:
            backlog.cancel()  # no one will wait for it
            raise
        groups, messages = await backlog
        self.backlog_ids = {m["id"] for m in messages}
        for group in groups:
            await self.send(render.group_deliver_request(group))
        for message in messages:
            await self.send(render.messaging_deliver_request(message))

    async def keep_alive(self, action_id: Any, payload: dict) -> dict:
        """Answered at any time, signed in or not."""
        return {}

    # --- groups --------------------------------------------------------------------------------

    async def group_create(self, action_id: Any, payload: dict) -> dict | None:
        """Two members and no name make a direct message; anything else a standard group."""
        name = payload.get("group_name")
        if name is None:
            name = ""
        if not isinstance(name, str):
            raise Invalid("group_name must be a string")
        sids = payload.get("member_sids")
        if not isinstance(sids, list) or not all(isinstance(sid, str) for sid in sids):
            raise Invalid("member_sids not in payload")
        sids = list(dict.fromkeys(sids))
        if len(sids) < 2:
            raise Invalid("need at least two members")
        if self.user.sid not in sids:
            raise Invalid("include group creator in member_sids")
        membership.participants_within(len(sids))  # before looking up a list of any length
        members = await call(phone_owners.users_by_sids, sids)
        if len(members) != len(sids):
            raise Invalid("member not found")
        conversation, created = await call(
            conversations.conversation_create,
            self.user,
            type=Conversation.PRIVATE if len(sids) == 2 and not name else Conversation.GROUP,
            participant_ids=[user.pk for user in members.values()],
            name=name,
            origin=self.connection.connection_id,
        )
        if not created:
            # An existing direct message: no event was raised, so this connection gets it here.
            snapshot = await call(conversation_snapshot, conversation)
            await self.send(render.action(action_id, "GROUP_CREATE_SUCCESS", {"group_id": conversation.pk}))
            await self.send(render.group_deliver_request(snapshot))
            return None
        return {"group_id": conversation.pk}

    async def group_leave(self, action_id: Any, payload: dict) -> dict:
        """Leave a group; the members who stay get it again without the leaver."""
        await call(
            membership.conversation_leave,
            self.user,
            conversation_id=_id(payload, "group_id"),
            origin=self.connection.connection_id,
        )
        return {}

    async def group_add_member(self, action_id: Any, payload: dict) -> dict:
        """Add a user (by sid) to a group; every member then gets the group again."""
        group_id = _id(payload, "group_id")
        sid = _string(payload, "member_sid")
        member = (await call(phone_owners.users_by_sids, [sid])).get(sid)
        if member is None:
            raise Invalid("member not found")
        await call(
            conversations.conversation_update,
            self.user,
            conversation_id=group_id,
            add_ids=[member.pk],
            origin=self.connection.connection_id,
        )
        return {}

    async def group_delivered(self, action_id: Any, payload: dict) -> None:
        """The client's answer to GROUP_DELIVER_REQUEST: nothing to record, nothing to answer."""
        return None

    # --- messaging -----------------------------------------------------------------------------

    async def messaging_send(self, action_id: Any, payload: dict) -> dict:
        """Store a message; every other connection of every member gets it to acknowledge."""
        content = _string(payload, "content")
        message, _ = await send_batches.send(
            SendRequest(
                actor=self.user,
                conversation_id=_id(payload, "group_id"),
                body=content,
                origin=self.connection.connection_id,
            ),
            protocol=self.name,
        )
        return {"message_id": message.pk}

    async def messaging_delivered(self, action_id: Any, payload: dict) -> None:
        """The client's acknowledgement of MESSAGING_DELIVER_REQUEST: the receipt is recorded (in
        the process's next batch) and the message is not delivered again. Only a failure is
        answered, once the batch is written."""

        async def refused(error: ServiceError) -> None:
            await self.send(render.failure(action_id, "MESSAGING_DELIVER_FAILURE", _reason(error, "MESSAGING_DELIVER")))

        receipt_batches.receipt_add(self.user.pk, _id(payload, "message_id"), refused)
        return None

    async def delivery_failed(self, action_id: Any, payload: dict) -> None:
        """The client could not take a delivery: it is sent again at the next sign-in."""
        logger.info("hooligram: client reports a failed delivery: %.200r", payload)
        return None

    ACTIONS: ClassVar[dict[str, str]] = {
        "VERIFICATION_REQUEST_CODE_REQUEST": "request_code",
        "VERIFICATION_SUBMIT_CODE_REQUEST": "submit_code",
        "AUTHORIZATION_SIGN_IN_REQUEST": "sign_in",
        "CONN_KEEP_ALIVE_REQUEST": "keep_alive",
        "GROUP_CREATE_REQUEST": "group_create",
        "GROUP_LEAVE_REQUEST": "group_leave",
        "GROUP_ADD_MEMBER_REQUEST": "group_add_member",
        "GROUP_DELIVER_SUCCESS": "group_delivered",
        "GROUP_DELIVER_FAILURE": "delivery_failed",
        "MESSAGING_SEND_REQUEST": "messaging_send",
        "MESSAGING_DELIVER_SUCCESS": "messaging_delivered",
        "MESSAGING_DELIVER_FAILURE": "delivery_failed",
    }


# Actions allowed before sign-in.
ANONYMOUS = {"VERIFICATION_REQUEST_CODE", "VERIFICATION_SUBMIT_CODE", "AUTHORIZATION_SIGN_IN", "CONN_KEEP_ALIVE"}
