"""NkCHAT over WebSocket: `{class, subclass, cmd, data, tid}` answered by `{result, data, tid}`.

`core/user/login` binds the connection (password or access token); `core/event/subscribe` and
`unsubscribe` choose the events it receives. The `chat` commands live in `nkchat_commands`, the
event renderers in `nkchat_events`.
"""

import itertools
from typing import Any

from accounts import services as account_services
from accounts import tokens
from config.errors import Invalid, NotAuthenticated, ServiceError
from protocols.nkchat import render
from protocols.nkchat.commands import NkchatCommandsMixin
from protocols.nkchat.event_frames import CLASS, EVENT_TYPES, TYPE_ALIASES, USER, NkchatEventsMixin
from protocols.nkchat.subscriptions import WILDCARD, Pattern, Subscriptions, pattern
from realtime.adapter import ProtocolAdapter, call

# A password login without a device_id opens (or resumes) the user's session of this device.
DEFAULT_DEVICE_ID = "nkchat"
ANONYMOUS = {("core", "user", "login"), ("chat", "user", "create")}
COMMANDS: dict[tuple[str, str, str], str] = {
    ("core", "user", "login"): "login",
    ("core", "event", "subscribe"): "subscribe",
    ("core", "event", "unsubscribe"): "unsubscribe",
    **{("chat", "user", cmd): f"user_{cmd}" for cmd in ("create", "get", "delete", "search")},
    **{
        ("chat", "conversation", cmd): f"conversation_{cmd}"
        for cmd in ("create", "get", "delete", "add_members", "remove_members", "get_members", "search")
    },
    **{("chat", "message", cmd): f"message_{cmd}" for cmd in ("create", "get", "delete", "update", "search")},
}
CLASSES = {key[0] for key in COMMANDS}
SUBCLASSES = {key[:2] for key in COMMANDS}


def _unknown(key: tuple[object, object, object]) -> ServiceError:
    cls, subclass, _ = (part if isinstance(part, str) else None for part in key)
    if cls not in CLASSES:
        message = "Unknown class"
    elif (cls, subclass) not in SUBCLASSES:
        message = "Unknown subclass"
    else:
        message = "Unknown command"
    return ServiceError(message, code="unknown_command")


def _pattern_part(data: dict[str, Any], key: str, allowed: set[str] | None) -> str | None:
    value = data.get(key)
    if value is None or value == WILDCARD:
        return None
    if key == "obj_id" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise Invalid(f"{key} must be a string")
    value = TYPE_ALIASES.get(value, value) if key == "type" else value
    if allowed is not None and value not in allowed:
        raise Invalid(f"Unknown {key} {value}")
    return value


def subscription_pattern(data: dict[str, Any]) -> Pattern:
    """The pattern of a subscribe/unsubscribe request; `class` is required, the rest default to "*"."""
    if data.get("class") is None:
        raise Invalid("class is required")
    cls = _pattern_part(data, "class", {CLASS})
    subclass = _pattern_part(data, "subclass", set(EVENT_TYPES))
    types = EVENT_TYPES[subclass] if subclass else set().union(*EVENT_TYPES.values())
    type_ = _pattern_part(data, "type", types)
    return pattern(cls, subclass, type_, _pattern_part(data, "obj_id", None))


class NkchatAdapter(NkchatEventsMixin, NkchatCommandsMixin, ProtocolAdapter):
    """One NkCHAT connection: its login, its subscriptions and the tids of the events it is sent."""

    name = "nkchat"

    def __init__(self, connection: Any) -> None:
        super().__init__(connection)
        self.subscriptions = Subscriptions()
        self.event_tids = itertools.count(1)

    # --- decoding and dispatch -----------------------------------------------------------------

    async def dispatch(self, frame: dict[str, Any]) -> None:
        tid = frame.get("tid")
        if "result" in frame and "class" not in frame:
            return  # the client's answer to an event we sent
        cls, subclass, cmd = key = (frame.get("class"), frame.get("subclass"), frame.get("cmd"))
        method = (
            COMMANDS.get((cls, subclass, cmd))
            if isinstance(cls, str) and isinstance(subclass, str) and isinstance(cmd, str)
            else None
        )
        if method is None:
            raise _unknown(key)
        if key not in ANONYMOUS and self.user is None:
            raise NotAuthenticated("Not logged in")
        data = frame.get("data")
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise Invalid("data must be an object")
        result = await getattr(self, method)(data)
        await self.send({"result": "ok", "data": result, "tid": tid})

    async def send_error(self, frame: dict[str, Any] | None, error: ServiceError) -> None:
        await self.send({"result": "error", "data": render.error(error), "tid": frame.get("tid") if frame else None})

    # --- core ----------------------------------------------------------------------------------

    async def login(self, data: dict[str, Any]) -> dict:
        if data.get("token") is not None:
            session = await call(tokens.session_sign_in, data["token"], address=self.client_address)
            user = session.user
        else:
            user = await call(
                account_services.user_authenticate,
                login=data.get("user"),
                password=data.get("password"),
                address=self.client_address,
            )
            device_id = data.get("device_id")
            if device_id is None:
                device_id = DEFAULT_DEVICE_ID
            session = await call(account_services.device_session_open, user, device_id=device_id)
        await self.connection.bind(user, session)
        return {"session_id": str(session.pk), "user_id": str(user.pk)}

    async def subscribe(self, data: dict[str, Any]) -> dict:
        new = subscription_pattern(data)
        self.subscriptions.add(new)
        if new.subclass in (None, USER):
            # User events are broadcast to every connection that asked for them.
            await self.connection.join_broadcast()
        return {}

    async def unsubscribe(self, data: dict[str, Any]) -> dict:
        self.subscriptions.remove(subscription_pattern(data))
        return {}
