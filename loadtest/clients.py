"""Protocol clients the scenario drives: one signed-in user on one real WebSocket each.

A client opens its socket, signs in, creates a group, sends messages and reports what comes back
to a `Ledger`. Each protocol is one subclass; `CLIENTS` maps protocol names to them.
"""

import asyncio
import itertools
import json
import time
import urllib.request
from dataclasses import dataclass
from typing import Any, ClassVar

import orjson

from loadtest import wire
from loadtest.stats import Ledger


class ClientError(Exception):
    """A request the server refused, or a socket that failed."""


@dataclass(frozen=True, slots=True)
class UserSpec:
    """Who a client signs in as, and where.

    `token` is a SAMA access token and `code` a verified Hooligram code, issued beforehand, if any."""

    index: int
    login: str
    password: str
    url: str
    device_id: str = "loadtest"
    user_id: int | None = None
    token: str | None = None
    country_code: str = ""
    phone_number: str = ""
    code: str | None = None

    @property
    def http_url(self) -> str:
        """The server's HTTP base URL (for `POST /login`)."""
        return "http" + self.url.removeprefix("ws")

    @property
    def sid(self) -> str:
        """The Hooligram address of the user."""
        return f"{self.country_code}.{self.phone_number}" if self.phone_number else self.login


class LoadClient:
    """One user on one WebSocket: the interface every protocol client implements."""

    protocol: ClassVar[str] = ""
    path: ClassVar[str] = "/"
    _ids = itertools.count(1)

    def __init__(self, user: UserSpec, ledger: Ledger, *, timeout: float = 10.0) -> None:
        self.user = user
        self.user_id = user.user_id
        self.ledger = ledger
        self.timeout = timeout
        self.ws: wire.WireConnection | None = None
        self.closed = asyncio.Event()
        self.pending: dict[str, asyncio.Future] = {}
        self.close_reason = ""

    async def open(self) -> None:
        """Open the WebSocket (no compression, as native clients); frames go to `on_frame` as they
        arrive, parsed by orjson (JSON was a seventh of a generator's time)."""
        self.ws = await wire.connect(
            self.user.url.rstrip("/") + self.path,
            self._received,
            self._ended,
            open_timeout=self.timeout,
            max_size=2**22,
        )

    def _received(self, raw: bytes) -> None:
        now = time.time()
        try:
            frame = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return
        if isinstance(frame, dict):
            self.on_frame(frame, now)

    def _ended(self) -> None:
        ws = self.ws
        self.close_reason = f"closed {ws.close_code} {ws.close_reason}".strip() if ws else "closed"
        self.closed.set()
        for future in self.pending.values():
            if not future.done():
                future.set_exception(ClientError("connection closed"))

    def new_id(self, name: str) -> str:
        """A request id unique in this process, in the SAMA SDK's `<n>:<name>` style."""
        return f"{next(self._ids)}:{name}"

    async def send_frame(self, frame: dict[str, Any]) -> None:
        """Send one JSON frame; ClientError when the socket is gone."""
        if self.ws is None:
            raise ClientError("not open")
        try:
            self.ws.send(orjson.dumps(frame))
        except wire.WireError as error:
            raise ClientError(f"send failed: {error!r}") from error

    async def call(self, request_id: str, frame: dict[str, Any]) -> dict[str, Any]:
        """Send a frame and wait for the answer that `on_frame` resolves under `request_id`."""
        future = asyncio.get_running_loop().create_future()
        self.pending[request_id] = future
        try:
            await self.send_frame(frame)
            return await asyncio.wait_for(future, self.timeout)
        except TimeoutError as error:
            raise ClientError(f"no answer to {request_id}") from error
        finally:
            self.pending.pop(request_id, None)

    def resolve(self, request_id: object, answer: dict[str, Any]) -> bool:
        """Hand an answer to the request waiting for it; False when none waits."""
        future = self.pending.get(request_id) if isinstance(request_id, str) else None
        if future is None or future.done():
            return False
        future.set_result(answer)
        return True

    async def close(self) -> None:
        """Close the socket (bounded in time) and stop reading."""
        if self.ws is not None:
            await self.ws.close(5)

    # --- what each protocol implements -------------------------------------------------------

    def on_frame(self, frame: dict[str, Any], now: float) -> None:
        """Handle one frame from the server (answers, acknowledgements, deliveries)."""
        raise NotImplementedError

    async def sign_in(self) -> None:
        """Authenticate the open connection as `self.user`."""
        raise NotImplementedError

    async def create_group(self, members: list["LoadClient"], name: str) -> str:
        """Create a group of the signed-in `members` (self included) and answer its id."""
        raise NotImplementedError

    async def send_message(self, group_id: str, send_id: str, body: str) -> None:
        """Send one message; its acknowledgement or failure reaches the ledger under `send_id`."""
        raise NotImplementedError

    async def register(self) -> None:
        """Create the user over the protocol (for servers whose database this command cannot reach)."""
        raise NotImplementedError


def http_post_json(url: str, body: dict[str, Any], timeout: float) -> dict[str, Any]:
    """POST a JSON body (a blocking call: run it in a thread)."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


class SamaClient(LoadClient):
    """SAMA: `connect` with a token (from the command or from `POST /login`), `message` frames."""

    protocol = "sama"
    path = "/"

    def on_frame(self, frame: dict[str, Any], now: float) -> None:
        """Acknowledgements, errors and deliveries go to the ledger; answers to their request."""
        if "ack" in frame:
            ack = frame["ack"]
            if isinstance(ack, dict):
                self.ledger.acked(str(ack.get("mid")), now)
        elif "message" in frame:
            message = frame["message"]
            if not isinstance(message, dict):
                return
            if "error" in message:
                self.ledger.failed(str(message.get("id")))
            else:
                self.ledger.delivered(message.get("body"), now)
        elif "response" in frame:
            response = frame["response"]
            if isinstance(response, dict):
                self.resolve(response.get("id"), response)

    async def request(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        """A SAMA request; answers the `response` object or raises ClientError with its error."""
        request_id = self.new_id(name)
        response = await self.call(request_id, {"request": {name: params, "id": request_id}})
        if "error" in response:
            raise ClientError(f"{name}: {response['error']}")
        return response

    async def register(self) -> None:
        """Create the user with `user_create` (no authentication needed); one that exists is kept."""
        try:
            await self.request("user_create", {"login": self.user.login, "password": self.user.password})
        except ClientError as error:
            if "exists" not in str(error):
                raise

    async def sign_in(self) -> None:
        """Sign in with the given code or token."""
        token = self.user.token
        if token is None:
            body = {"login": self.user.login, "password": self.user.password, "device_id": self.user.device_id}
            answer = await asyncio.to_thread(http_post_json, self.user.http_url + "/login", body, self.timeout)
            token = answer["access_token"]
            self.user_id = int(answer["user"]["_id"])
        await self.request("connect", {"token": token, "device_id": self.user.device_id})

    async def create_group(self, members: list[LoadClient], name: str) -> str:
        """Create the group over the protocol."""
        others = [str(m.user_id) for m in members if m is not self]
        response = await self.request("conversation_create", {"type": "g", "name": name, "participants": others})
        return str(response["conversation"]["_id"])

    async def send_message(self, group_id: str, send_id: str, body: str) -> None:
        """Send the message frame; its answer arrives through `on_frame`."""
        await self.send_frame({"message": {"id": send_id, "body": body, "cid": group_id}})


class HooligramClient(LoadClient):
    """Hooligram V2: signs in with a verified code and acknowledges every delivery, as its clients do."""

    protocol = "hooligram"
    path = "/v2"

    def reply(self, frame: dict[str, Any]) -> None:
        """Answer a server request at once, as its frame is read, with no task or coroutine of its
        own (three acknowledgements per message were a third of the generator's work). A reply to
        a closing socket is dropped, as a real client's would be."""
        if self.ws is not None and self.ws.open:
            self.ws.send(orjson.dumps(frame))

    def on_frame(self, frame: dict[str, Any], now: float) -> None:
        """Acknowledgements, errors and deliveries go to the ledger; answers to their request."""
        kind, action_id, payload = frame.get("type"), frame.get("id"), frame.get("payload")
        payload = payload if isinstance(payload, dict) else {}
        if kind == "MESSAGING_DELIVER_REQUEST":
            self.ledger.delivered(payload.get("content"), now)
            message_id = payload.get("message_id")
            self.reply({"id": action_id, "payload": {"message_id": message_id}, "type": "MESSAGING_DELIVER_SUCCESS"})
        elif kind == "GROUP_DELIVER_REQUEST":
            group_id = payload.get("group_id")
            self.reply({"id": action_id, "payload": {"group_id": group_id}, "type": "GROUP_DELIVER_SUCCESS"})
        elif kind == "MESSAGING_SEND_SUCCESS":
            self.ledger.acked(str(action_id), now)
        elif kind == "MESSAGING_SEND_FAILURE":
            self.ledger.failed(str(action_id))
        else:
            self.resolve(action_id, frame)

    async def action(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send `<kind>_REQUEST`; answers the success payload, or raises ClientError with the failure."""
        action_id = self.new_id(kind.lower())
        answer = await self.call(action_id, {"id": action_id, "payload": payload, "type": f"{kind}_REQUEST"})
        if answer.get("type") != f"{kind}_SUCCESS":
            raise ClientError(f"{kind}: {answer.get('payload')}")
        return answer.get("payload") or {}

    async def sign_in(self) -> None:
        """Sign in with the given code or token."""
        if not self.user.code:
            raise ClientError("hooligram users need a verified code (provision them with --provision db)")
        phone = {"country_code": self.user.country_code, "phone_number": self.user.phone_number}
        await self.action("AUTHORIZATION_SIGN_IN", {**phone, "verification_code": self.user.code})

    async def create_group(self, members: list[LoadClient], name: str) -> str:
        """Create the group over the protocol."""
        sids = [m.user.sid for m in members]
        answer = await self.action("GROUP_CREATE", {"group_name": name, "member_sids": sids})
        return str(answer["group_id"])

    async def send_message(self, group_id: str, send_id: str, body: str) -> None:
        """Send the message frame; its answer arrives through `on_frame`."""
        payload = {"group_id": int(group_id), "content": body}
        await self.send_frame({"id": send_id, "payload": payload, "type": "MESSAGING_SEND_REQUEST"})


CLIENTS: dict[str, type[LoadClient]] = {SamaClient.protocol: SamaClient, HooligramClient.protocol: HooligramClient}
