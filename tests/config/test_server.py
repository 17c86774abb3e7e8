"""How the server runs: its collector is tuned and logs a collection long enough to be felt as latency, its
endpoints listen with the configured backlog, a WebSocket keeps nothing of the HTTP request it was upgraded
from, small client frames are unmasked as autobahn's native masker unmasks them, and ready sockets are read and
written without Twisted's log context."""

import gc
import logging
import os
import random

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


def test_an_upgraded_connection_lets_go_of_its_http_request():
    from twisted.internet.address import IPv4Address
    from twisted.internet.testing import StringTransport
    from twisted.web.http import HTTPChannel

    from config.server import _clean_closing_factory

    factory = _clean_closing_factory()(server_class=None)
    transport = StringTransport()
    transport.registerProducer(HTTPChannel(), True)  # as daphne's upgrade leaves it
    protocol = factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 50000))
    protocol.makeConnection(transport)
    try:
        assert transport.producer is None
    finally:
        if protocol.openHandshakeTimeoutCall is not None:  # no handshake follows
            protocol.openHandshakeTimeoutCall.cancel()


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
