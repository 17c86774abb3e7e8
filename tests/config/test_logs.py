"""Logs an operator can follow: each line a request or a connection causes carries its id, in plain
lines or one JSON object per line (LOG_FORMAT=json), and no line is written twice."""

import asyncio
import contextvars
import json
import logging
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from config import logs
from tests.helpers import access_token_for, db, make_user
from tests.servers import daphne_servers, sama_over_tcp, sama_request

pytestmark = pytest.mark.django_db


def test_a_request_gets_an_id_in_its_answer_and_a_proxys_sane_id_is_kept(client):
    assert re.fullmatch(r"[0-9a-f]{16}", client.get("/healthz")["X-Request-ID"])
    assert client.get("/healthz", HTTP_X_REQUEST_ID="nginx-42.a_b")["X-Request-ID"] == "nginx-42.a_b"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="not an id; <script>")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", replaced)


def test_a_redis_connection_error_is_logged_in_one_line_and_any_other_error_with_its_traceback():
    import sys

    import redis.exceptions

    def record_of(error: Exception) -> logging.LogRecord:
        try:
            raise error
        except Exception:
            record = logging.LogRecord(
                "hub", logging.ERROR, __file__, 1, "renewing %s failed", ("routes",), sys.exc_info()
            )
        logs.RedisUnreachableInOneLine().filter(record)
        return record

    down = record_of(redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379.\nConnection refused."))
    assert down.exc_info is None
    assert down.getMessage() == "renewing routes failed: ConnectionError: Error 111 connecting to 127.0.0.1:6379."
    bug = record_of(KeyError("route"))
    assert bug.exc_info is not None and bug.getMessage() == "renewing routes failed"


def test_the_same_redis_connection_error_line_is_written_once_in_a_while_with_how_many_were_left_out():
    import sys
    import time

    import redis.exceptions

    one_line = logs.RedisUnreachableInOneLine()
    one_line.REPEAT_SECONDS = 0.3

    def written(logger: str, error: Exception) -> str | None:
        try:
            raise error
        except Exception:
            record = logging.LogRecord(logger, logging.ERROR, __file__, 1, "receiving failed", (), sys.exc_info())
        return record.getMessage() if one_line.filter(record) else None

    down = redis.exceptions.ConnectionError("Connection refused.")
    assert written("channels_redis.pubsub", down) == "receiving failed: ConnectionError: Connection refused."
    assert written("channels_redis.pubsub", down) is None
    assert written("channels_redis.pubsub", down) is None
    assert written("realtime", down) == "receiving failed: ConnectionError: Connection refused."  # another logger's
    assert written("channels_redis.pubsub", KeyError("x")) == "receiving failed"  # a bug is never left out
    time.sleep(0.35)
    assert written("channels_redis.pubsub", down) == (
        "receiving failed: ConnectionError: Connection refused. (2 more in the last 0 s)"
    )


def test_the_context_filter_adds_the_bound_fields_to_each_record():
    async def in_a_connection() -> logging.LogRecord:
        logs.bind(connection="c1", protocol="sama")
        logs.bind(user=7)
        record = logging.LogRecord("realtime", logging.INFO, __file__, 1, "hello", (), None)
        logs.LogContext().filter(record)
        return record

    record = contextvars.Context().run(asyncio.run, in_a_connection())
    assert (record.connection, record.protocol, record.user) == ("c1", "sama", 7)
    assert record.context == " [connection=c1 protocol=sama user=7]"
    outside = contextvars.Context().run(logging.LogRecord, "realtime", logging.INFO, __file__, 1, "hello", (), None)
    contextvars.Context().run(logs.LogContext().filter, outside)
    assert outside.context == "" and not hasattr(outside, "connection")


def _get(port: int, path: str, request_id: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"X-Request-ID": request_id})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


async def _a_sama_session(port: int, token: str) -> None:
    socket = await sama_over_tcp(port, token, "logs")
    assert (await sama_request(socket, "user_search", {"keyword": "nobody-at-all"}))["users"] == []
    await socket.close()


async def _until_written(log: Path, text: str) -> None:
    """Wait (up to 10 s) for the server to write `text`: it logs a close after the client left."""
    for _ in range(100):
        if text in await asyncio.to_thread(log.read_text):
            return
        await asyncio.sleep(0.1)


@pytest.mark.multiprocess
@pytest.mark.django_db(transaction=True)
async def test_json_lines_carry_the_request_and_connection_ids(tmp_path: Path):
    user = await db(make_user)()
    token = await db(access_token_for)(user, "logs")
    log = tmp_path / "server.log"
    with daphne_servers(1, env={"LOG_FORMAT": "json", "DEBUG": "1"}, log=log) as [port]:
        assert await asyncio.to_thread(_get, port, "/no-such-page", "req-404") == 404
        await _a_sama_session(port, token)
        await _until_written(log, "WebSocket / closed")
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]

    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    of_request = [line for line in lines if line.get("request") == "req-404"]
    assert [(line["logger"], line["message"]) for line in of_request] == [
        ("access", "GET /no-such-page 404 " + of_request[0]["message"].split(" 404 ")[1]),
        ("django.request", "Not Found: /no-such-page"),
    ]
    assert of_request[0]["status"] == 404 and of_request[0]["client"] == "127.0.0.1"
    websocket = [line for line in lines if line["logger"] == "access" and line["message"].startswith("WebSocket")]
    assert [line["message"].split(":")[0] for line in websocket] == ["WebSocket / opened", "WebSocket / closed"]
    assert websocket[0]["connection"] == websocket[1]["connection"]
    assert re.fullmatch(r"[0-9a-f]{16}", websocket[0]["connection"])
    assert websocket[0]["protocol"] == "sama" and "user" not in websocket[0]
    assert websocket[1]["user"] == user.pk


@pytest.mark.multiprocess
@pytest.mark.django_db(transaction=True)
def test_plain_lines_with_debug_on_are_written_once(tmp_path: Path):
    log = tmp_path / "server.log"
    with daphne_servers(1, env={"DEBUG": "1"}, log=log) as [port]:
        assert _get(port, "/no-such-page", "req-plain") == 404
    text = log.read_text()
    assert text.count("Not Found: /no-such-page") == 1
    assert re.search(r"WARNING django\.request \[request=req-plain\] Not Found: /no-such-page\n", text)
    assert re.search(r"INFO access \[request=req-plain\] GET /no-such-page 404 \d+ ms\n", text)
    assert '"GET /no-such-page"' not in text  # daphne's own access line (stdout) is off
