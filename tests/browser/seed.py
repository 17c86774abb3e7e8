"""People, conversations and messages made fast for browser tests: plain SAMA clients (Python, over
the same WebSocket as the page), one per person; `SamaPerson` alone drives a socket of one's own."""

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from itertools import count

from websockets.sync.client import connect

from tests.browser.pages import PASSWORD


class SamaPerson:
    """One person's SAMA connection, signed in."""

    def __init__(self, socket, user: dict | None = None) -> None:
        self.socket = socket
        self.user = user or {"_id": ""}
        self.id = self.user["_id"]
        self.ids = count(1)

    def request(self, name: str, params: dict) -> dict:
        request_id = f"{next(self.ids)}:{name}"
        self.socket.send(json.dumps({"request": {name: params, "id": request_id}}))
        while True:
            frame = json.loads(self.socket.recv(timeout=5))
            if frame.get("response", {}).get("id") == request_id:
                assert "error" not in frame["response"], frame
                return frame["response"]

    def leave(self) -> None:
        """Close this connection (a person who will use the page instead)."""
        self.socket.close()

    def private_with(self, other: "SamaPerson") -> str:
        return self.request("conversation_create", {"type": "u", "participants": [other.id]})["conversation"]["_id"]

    def group_with(self, name: str, *others: "SamaPerson") -> str:
        params = {"type": "g", "name": name, "participants": [o.id for o in others]}
        return self.request("conversation_create", params)["conversation"]["_id"]

    def send(self, cid: str, body: str, **extra: object) -> dict:
        """Send a message and wait for its acknowledgement ({mid, server_mid, t})."""
        client_id = f"seed-{next(self.ids)}"
        self.socket.send(json.dumps({"message": {"id": client_id, "body": body, "cid": cid, **extra}}))
        while True:
            frame = json.loads(self.socket.recv(timeout=5))
            if frame.get("ack", {}).get("mid") == client_id:
                return frame["ack"]


class Seeder:
    """Signs people up over SAMA and keeps one signed-in connection per person."""

    def __init__(self, server_url: str) -> None:
        self.url = server_url.replace("http://", "ws://") + "/"
        self.sockets = ExitStack()

    def person(self, login: str, first_name: str = "", last_name: str = "") -> SamaPerson:
        socket = self.sockets.enter_context(connect(self.url, open_timeout=5))
        anonymous = SamaPerson(socket)
        profile = {"login": login, "password": PASSWORD, "first_name": first_name, "last_name": last_name}
        anonymous.request("user_create", {k: v for k, v in profile.items() if v})
        signed_in = anonymous.request("user_login", {"login": login, "password": PASSWORD, "device_id": "seed"})
        return SamaPerson(socket, signed_in["user"])

    def close(self) -> None:
        self.sockets.close()


@contextmanager
def seeding(server_url: str) -> Iterator[Seeder]:
    seeder = Seeder(server_url)
    try:
        yield seeder
    finally:
        seeder.close()
