"""How the server runs: its collector is tuned and logs a collection long enough to be felt as latency, its
endpoints listen with the configured backlog, small client frames are unmasked as autobahn's native
masker unmasks them, ready sockets are read and written without Twisted's log context, a write goes to an
idle socket at once, and `main` installs every one of these (and the upgrade sniffer) before daphne runs,
with daphne's arguments as the settings give them."""

import gc
import logging
import os
import random
import socket
import subprocess
import sys

import pytest
from daphne.endpoints import build_endpoint_description_strings

from config.server import SLOW_COLLECTION_S, CollectionTimer, tune_collector, with_backlog


def test_a_slow_collection_is_logged_and_a_quick_one_is_not(caplog):
    now = [100.0]
    timer = CollectionTimer(clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="config.server"):
        timer("start", {"generation": 0})
        now[0] += SLOW_COLLECTION_S / 2
        timer("stop", {"generation": 0, "collected": 3})
        timer("start", {"generation": 2})
        now[0] += SLOW_COLLECTION_S * 3
        timer("stop", {"generation": 2, "collected": 42})
    stopped_ms = f"{SLOW_COLLECTION_S * 3000:.0f}"
    assert [r.getMessage() for r in caplog.records] == [
        f"garbage collection of generation 2 stopped the process for {stopped_ms} ms (42 objects freed)"
    ]


def test_the_collector_is_tuned_from_the_settings_and_its_passes_timed(settings):
    before = gc.get_threshold()
    timer = tune_collector(settings.GC_GEN0_THRESHOLD, settings.GC_GEN1_THRESHOLD)
    try:
        assert gc.get_threshold() == (50000, 1, before[2])
        assert timer in gc.callbacks and gc.get_freeze_count() > 0
    finally:
        gc.callbacks.remove(timer)
        gc.set_threshold(*before)
        gc.unfreeze()


def test_daphnes_endpoints_listen_with_the_backlog():
    build = with_backlog(build_endpoint_description_strings, 1024)
    assert build(host="127.0.0.1", port=8000, unix_socket="/tmp/chat.sock", file_descriptor=3) == [
        "tcp:port=8000:interface=127.0.0.1:backlog=1024",
        "unix:/tmp/chat.sock:backlog=1024",
        "fd:fileno=3",
    ]


def test_autobahns_debug_formatting_happens_only_when_written(monkeypatch):
    import autobahn.twisted.websocket as twisted_websocket
    import autobahn.websocket.protocol as protocol
    import txaio

    from config.server import _format_autobahn_debug_lines_only_when_written

    for module in (protocol, twisted_websocket):  # undone after the test
        for name in ("pformat", "hltype", "hlval"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, getattr(module, name))
    _format_autobahn_debug_lines_only_when_written()
    level = txaio.get_global_log_level()
    try:
        txaio.set_global_log_level("info")
        assert protocol.pformat([("openHandshakeTimeout", 5, "factory")]) == ""
        assert twisted_websocket.hltype(test_autobahns_debug_formatting_happens_only_when_written) == ""
        assert twisted_websocket.hlval(42) == ""
        txaio.set_global_log_level("debug")
        assert protocol.pformat([("openHandshakeTimeout", 5, "factory")]) == "[('openHandshakeTimeout', 5, 'factory')]"
        assert "test_autobahns_debug_formatting" in twisted_websocket.hltype(
            test_autobahns_debug_formatting_happens_only_when_written
        )
        assert "42" in protocol.hlval(42)
    finally:
        txaio.set_global_log_level(level)


def test_small_client_frames_are_unmasked_as_autobahns_native_masker_does(monkeypatch):
    import autobahn.websocket.protocol as protocol

    from config.server import INTEGER_MASK_MAX_BYTES, IntegerXorMasker, _unmask_small_frames_with_integers

    native = protocol.create_xor_masker
    monkeypatch.setattr(protocol, "create_xor_masker", native)  # undone after the test
    _unmask_small_frames_with_integers()
    chunks = random.Random(21)
    for size in (0, 1, 3, 4, 5, 200, INTEGER_MASK_MAX_BYTES):
        mask, payload = os.urandom(4), os.urandom(size)
        masker, reference = protocol.create_xor_masker(mask, size), native(mask, size)
        assert isinstance(masker, IntegerXorMasker)
        pieces, start = [], 0
        while start < size:  # read in pieces, as a frame split across TCP segments is
            end = min(size, start + chunks.randint(1, 9))
            pieces.append(masker.process(payload[start:end]))
            start = end
            assert masker.pointer() == start
        assert b"".join(pieces) == reference.process(payload)
        masker.reset()
        assert masker.pointer() == 0
    assert not isinstance(protocol.create_xor_masker(b"abcd", INTEGER_MASK_MAX_BYTES + 1), IntegerXorMasker)


def test_ready_sockets_are_read_and_written_without_twisteds_log_context(monkeypatch):
    """The reactor's `_readOrWrite` is called with its arguments, its answer returned (a reason to
    disconnect), and the connection is not asked for a log prefix."""
    from twisted.internet import asyncioreactor

    from config.server import _read_and_write_without_log_context

    monkeypatch.setattr(asyncioreactor, "callWithLogger", asyncioreactor.callWithLogger)  # undone after the test
    _read_and_write_without_log_context()
    asked = []

    class Selectable:
        def logPrefix(self) -> str:
            asked.append("logPrefix")
            return "selectable"

    selectable = Selectable()
    reason = asyncioreactor.callWithLogger(selectable, lambda *args: ("lost", args), selectable, True)
    assert reason == ("lost", (selectable, True)) and asked == []


class WriteWatchingReactor:
    """What a connection asks of its reactor; of it, only whether the connection waits to write is kept."""

    def __init__(self) -> None:
        self.writers: list[object] = []

    def addWriter(self, selectable: object) -> None:
        if selectable not in self.writers:  # as a reactor, which watches a socket once
            self.writers.append(selectable)

    def removeWriter(self, selectable: object) -> None:
        if selectable in self.writers:
            self.writers.remove(selectable)

    def removeReader(self, selectable: object) -> None:
        pass

    def callLater(self, delay: float, call: object, *args: object) -> None:
        pass  # an aborted connection's end, which these tests do not wait for


@pytest.fixture
def eager_connection(monkeypatch):
    """A Twisted TCP connection with writes sent at once, on one end of a socket pair; the other end."""
    from twisted.internet import tcp
    from twisted.internet.protocol import Protocol

    from config.server import _write_to_the_socket_at_once

    monkeypatch.setattr(tcp.Connection, "write", tcp.Connection.write)  # undone after the test
    _write_to_the_socket_at_once()
    ours, theirs = socket.socketpair()
    connection = tcp.Connection(ours, Protocol(), reactor=WriteWatchingReactor())
    connection.connected = True
    theirs.settimeout(5)
    yield connection, theirs
    ours.close()
    theirs.close()


def test_a_write_to_an_idle_connection_reaches_the_socket_at_once(eager_connection):
    connection, peer = eager_connection
    connection.write(b"frame one")
    assert peer.recv(100) == b"frame one"
    assert connection.reactor.writers == []  # nothing left for the event loop to send


def test_what_the_socket_does_not_take_is_buffered_and_later_writes_queue_behind_it(eager_connection):
    connection, peer = eager_connection
    big = bytes(range(256)) * 20_000  # 5 MB: more than a socket pair's buffers hold
    connection.write(big)
    connection.write(b"after")
    assert connection.reactor.writers == [connection]  # the rest waits for the socket
    assert connection._tempDataLen > 0
    received = b""
    while len(received) < len(big) + 5:
        connection.doWrite()  # the event loop's part, each time the socket can take more
        received += peer.recv(1 << 20)
    assert received == big + b"after"
    assert connection.reactor.writers == []


def test_anything_but_bytes_is_refused_as_twisted_refuses_it(eager_connection):
    connection, _ = eager_connection
    with pytest.raises(TypeError, match="Data must be bytes"):
        connection.write("text")


def test_a_connection_that_started_tls_on_itself_writes_through_its_tls_layer(eager_connection):
    connection, peer = eager_connection
    encrypted = []

    class TLSLayer:  # what `startTLS` puts between the connection and its socket
        def write(self, data: bytes) -> None:
            encrypted.append(data)

    connection.TLS, connection.protocol = True, TLSLayer()
    connection.write(b"secret")
    assert encrypted == [b"secret"]
    peer.setblocking(False)
    with pytest.raises(BlockingIOError):  # nothing reached the socket in the clear
        peer.recv(100)


def test_a_write_to_an_aborted_connection_is_dropped_as_twisted_drops_it(eager_connection):
    connection, peer = eager_connection
    connection.abortConnection()
    connection.write(b"too late")
    peer.setblocking(False)
    with pytest.raises(BlockingIOError):
        peer.recv(100)


def test_a_pull_producer_is_asked_for_more_as_each_write_leaves(eager_connection):
    connection, peer = eager_connection

    class ThreeChunks:  # an IPullProducer: writes one chunk each time it is asked
        def __init__(self) -> None:
            self.left = [b"one ", b"two ", b"three"]

        def resumeProducing(self) -> None:
            if self.left:
                connection.write(self.left.pop(0))

        def stopProducing(self) -> None:
            self.left = []

    connection.registerProducer(ThreeChunks(), False)
    received = b""
    while connection.reactor.writers:
        connection.doWrite()  # the event loop's part: sends, then asks the producer for more
        received += peer.recv(100)
    assert received == b"one two three"


def test_a_send_that_fails_is_left_to_twisted_which_reports_the_lost_connection(eager_connection):
    from twisted.internet.error import ConnectionLost

    connection, peer = eager_connection
    peer.close()
    connection.write(b"to no one")
    assert connection.reactor.writers == [connection]
    assert isinstance(connection.doWrite(), ConnectionLost)


# Run by `main` in a process of its own (importing daphne's server installs Twisted's reactor):
# daphne's command line, replaced before `main` runs, reports what `main` installed and the
# arguments it was given instead of serving.
MAIN_CHECK = """
import asyncio, gc, sys
import uvloop
asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
import autobahn.websocket.protocol as protocol
import daphne.cli, daphne.http_protocol, daphne.server
from twisted.internet import asyncioreactor, tcp
import config.server, config.upgrades

def report(self, args):
    print(daphne.server.HTTPFactory is config.upgrades.UpgradeSniffingHTTPFactory)
    print(daphne.server.WebSocketFactory.__name__, daphne.server.WebSocketFactory.protocol.__name__)
    print(protocol.create_xor_masker.__name__, protocol.pformat("x"))
    print(asyncioreactor.callWithLogger is config.server._call_selectable)
    print(tcp.Connection.write.__module__)
    print(*[cls.__name__ for cls in daphne.http_protocol.WebRequest.__mro__[:2]])
    from twisted.web import http
    print(http.RESPONSES[422].decode(), http.RESPONSES[429].decode(), http.RESPONSES[404].decode())
    print(daphne.cli.build_endpoint_description_strings(host="127.0.0.1", port=8000))
    print(gc.get_threshold()[:2], gc.get_freeze_count() > 0)
    print(" ".join(args))

daphne.cli.CommandLineInterface.run = report
sys.argv = ["config.server", "-b", "127.0.0.1", "-p", "8000", "config.asgi:application"]
config.server.main()
"""


def test_main_runs_daphne_with_every_change_installed():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "LISTEN_BACKLOG": "777"}
    env.update(WEBSOCKET_MESSAGE_MAX_BYTES="70000", GC_GEN0_THRESHOLD="1234", GC_GEN1_THRESHOLD="56")
    env.pop("REDIS_URL", None)  # the in-memory channel layer: nothing to connect to
    done = subprocess.run(
        [sys.executable, "-c", MAIN_CHECK], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "True",
        "CleanClosingWebSocketFactory HandedOverWebSocketProtocol",
        "masker_for ",
        "True",
        "config.server",
        "ClosingWhileDrainingRequest BodyLeavingWebRequest",
        "Unprocessable Entity Too Many Requests Not Found",
        "['tcp:port=8000:interface=127.0.0.1:backlog=777']",
        "(1234, 56) True",
        "--websocket-max-message-size 70000 --websocket-max-frame-size 70000 --verbosity 0"
        " -b 127.0.0.1 -p 8000 config.asgi:application",
    ]
