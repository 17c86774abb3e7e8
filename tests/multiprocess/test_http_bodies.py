"""A POST body of a form's content type reaches the application whatever it holds, over real TCP
against a real server process (daphne): multipart that does not parse gets the protocol's own
error answer, and the connection stays open for the next request (Twisted answered it with a bare
400 and closed the connection)."""

import http.client
import json

import pytest

from tests.helpers import access_token_for, db, make_user
from tests.servers import daphne_servers

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]

GARBAGE = b"\x00\x01garbage--zz"
MULTIPART = "multipart/form-data; boundary=zz"


def _post(connection: http.client.HTTPConnection, path: str, headers: dict[str, str]) -> tuple[int, dict]:
    connection.request("POST", path, body=GARBAGE, headers=headers)
    response = connection.getresponse()
    assert response.reason != "Unknown Status"  # every status has its phrase (config/server.py)
    return response.status, json.loads(response.read())


async def test_a_multipart_body_that_does_not_parse_gets_the_protocols_error_and_keeps_the_connection():
    token = await db(access_token_for)(await db(make_user)())
    with daphne_servers(1) as (port,):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        upload = {"Content-Type": MULTIPART, "Authorization": f"Bearer {token}"}
        assert _post(connection, "/files/a1b2.png", upload) == (
            400,
            {"error": True, "reason": "The body must hold the file (raw, or multipart field `file`)"},
        )
        assert _post(connection, "/users", {"Content-Type": MULTIPART}) == (
            415,
            {"error": True, "reason": f'Unsupported media type "{MULTIPART}" in request.'},
        )
        assert _post(connection, "/login", {"Content-Type": "multipart/form-data"}) == (
            422,
            {"error": {"status": 422, "message": "Body is not valid JSON"}},
        )
        connection.request("GET", "/healthz")  # still the same connection
        assert connection.getresponse().status == 200
        connection.close()
