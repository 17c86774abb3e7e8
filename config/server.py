"""Run the server: `python -m config.server <daphne's arguments>` (`--help` lists them).

Daphne, with two process-wide choices made first (and WebSocket upgrades handed straight to
autobahn (config/upgrades.py), autobahn's per-connection debug formatting skipped when no debug
line is written, small client frames unmasked without a native masker, ready sockets read and
written without Twisted's legacy log context, WebSocket connections failed with a close frame,
upgraded connections rid of their HTTP request, connections reading autobahn's protocol options
from their class rather than each holding a copy, writes sent to the socket at once, connections
lost when uvloop closed their poll, POST bodies left unparsed for the application, a reason
phrase for every status, and a shutdown that drains connections before it cancels them
(config/shutdown.py)):
- uvloop: daphne drives Twisted's asyncio reactor on an event loop it makes when `daphne.server`
  is first imported; choosing uvloop's policy before that import makes it uvloop's loop, which
  schedules callbacks, socket reads and thread-pool wake-ups in C.
- the garbage collector: the application is loaded, its channel layer built (which imports
  redis-py and channels-redis: 110 ms that a restarted process's first clients waited for, under
  the import lock, in a sign-in storm) and what it loaded is frozen (never scanned again), and
  the young generation is collected every GC_GEN0_THRESHOLD allocations instead of 700. Under
  load, with Python's defaults, objects alive for a few milliseconds (frames in flight, futures)
  reached the old generation, whose full collections, several a minute, stopped every connection
  of the process for 150-250 ms each with 1,100 connections. The middle generation is collected
  after every GC_GEN1_THRESHOLD young collections instead of 10: while thousands of clients sign
  in nearly every young object survives, so ten collections' survivors (500,000 objects) made one
  pass of 400-750 ms, where one or two collections' make passes of 60-200 ms."""

import asyncio
import gc
import logging
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import uvloop

from config.metrics import GC_PAUSE_SECONDS
from config.websocket_protocol import clean_closing_factory

logger = logging.getLogger("config.server")  # run as __main__

# A collection that stops the process longer than this is logged: every connection waited for it.
SLOW_COLLECTION_S = 0.05


class CollectionTimer:
    """A `gc.callbacks` entry that times every collection (`chat_gc_pause_seconds`, by generation)
    and logs the ones long enough to show as latency."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.started = 0.0
        self.pauses = [GC_PAUSE_SECONDS.labels(str(generation)) for generation in range(3)]

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.started = self.clock()
            return
        seconds = self.clock() - self.started
        self.pauses[info["generation"]].observe(seconds)
        if seconds >= SLOW_COLLECTION_S:
            logger.warning(
                "garbage collection of generation %d stopped the process for %.0f ms (%d objects freed)",
                info["generation"],
                seconds * 1000,
                info["collected"],
            )


def main() -> None:
    """Choose uvloop, load the application and its channel layer and freeze them, tune the
    collector, then run daphne."""
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    from channels.layers import get_channel_layer
    from django.conf import settings

    import config.asgi  # noqa: F401  (daphne finds it imported)

    get_channel_layer()

    tune_collector(settings.GC_GEN0_THRESHOLD, settings.GC_GEN1_THRESHOLD)
    import daphne.cli
    import daphne.server  # makes the loop

    from config.shutdown import DrainingServer, close_connections_of_requests_made_while_draining
    from config.upgrades import UpgradeSniffingHTTPFactory

    daphne.server.WebSocketFactory = clean_closing_factory()
    daphne.server.HTTPFactory = UpgradeSniffingHTTPFactory
    _format_autobahn_debug_lines_only_when_written()
    _unmask_small_frames_with_integers()
    _read_and_write_without_log_context()
    _lose_connections_whose_poll_uvloop_closed()
    _write_to_the_socket_at_once()
    _leave_request_bodies_to_the_application()
    close_connections_of_requests_made_while_draining()
    _name_every_status()
    daphne.cli.CommandLineInterface.server_class = DrainingServer
    daphne.cli.build_endpoint_description_strings = with_backlog(
        daphne.cli.build_endpoint_description_strings, settings.LISTEN_BACKLOG
    )
    daphne.cli.CommandLineInterface().run(with_defaults(sys.argv[1:], settings.WEBSOCKET_MESSAGE_MAX_BYTES))
    # The reactor stopped after draining (config/shutdown.py): a thread of synchronous work it cut
    # off waits for the stopped event loop, and the interpreter would wait for that thread.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _leave_request_bodies_to_the_application() -> None:
    """Twisted's HTTP request parsed a POST body of a form's content type into its `args`, which
    daphne never reads (it hands the raw body to the application), and answered a multipart body
    that did not parse with a bare 400 and a closed connection: the request never reached Django,
    nor its protocol's error answer and access log. Daphne's HTTP connections now make requests
    that parse no body."""
    import daphne.http_protocol

    class BodyLeavingWebRequest(daphne.http_protocol.WebRequest):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, parsePOSTFormSubmission=False, **kwargs)

    daphne.http_protocol.WebRequest = BodyLeavingWebRequest  # read by HTTPFactory.buildProtocol


def _name_every_status() -> None:
    """Twisted's table of reason phrases lacks some the server answers with (422 for invalid input,
    423, 429 for rate limits), whose status lines then read "Unknown Status": they get the
    standard phrases."""
    from http import HTTPStatus

    from twisted.web import http

    for status in HTTPStatus:
        http.RESPONSES.setdefault(status.value, status.phrase.encode())


def tune_collector(young: int, middle: int) -> CollectionTimer:
    """Freeze what is loaded, collect the young generation every `young` allocations and the middle
    one every `middle` young collections, and time every collection (the timer, now in
    `gc.callbacks`)."""
    gc.freeze()
    gc.set_threshold(young, middle, gc.get_threshold()[2])
    timer = CollectionTimer()
    gc.callbacks.append(timer)
    return timer


def with_backlog(build: Callable[..., list[str]], backlog: int) -> Callable[..., list[str]]:
    """Daphne's endpoint builder, listening with room for `backlog` connections not yet accepted
    (Twisted's default, 50, overflowed when a thousand clients signed in at once after a restart:
    the kernel dropped their handshakes and some saw their connection reset)."""

    def build_with_backlog(*args: object, **kwargs: object) -> list[str]:
        return [
            f"{endpoint}:backlog={backlog}" if endpoint.startswith(("tcp:", "unix:")) else endpoint
            for endpoint in build(*args, **kwargs)
        ]

    return build_with_backlog


def with_defaults(args: list[str], max_bytes: int) -> list[str]:
    """Daphne's arguments, with WebSocket message and frame limits of `max_bytes` and verbosity 0
    unless given. At verbosity 1 daphne prints its own access lines to stdout, outside logging,
    with no request or connection id; the server writes its access log through logging instead
    (config/logs.py: the `access` logger), so a line is never written twice."""
    defaults = []
    for option in ("--websocket-max-message-size", "--websocket-max-frame-size"):
        if not any(arg.startswith(option) for arg in args):
            defaults += [option, str(max_bytes)]
    if not any(arg in ("-v", "--verbosity") or arg.startswith("--verbosity=") for arg in args):
        defaults += ["--verbosity", "0"]
    return [*defaults, *args]


def _format_autobahn_debug_lines_only_when_written() -> None:
    """autobahn formats the arguments of its debug lines whether or not debug lines are written:
    it pretty-prints its settings on every new WebSocket (about a sixth of the event loop's time
    in a sign-in storm, py-spy), and names and colours (with click, when installed) the method and
    peer of every frame read and written (2-4 % of the loop under message load). Its `pformat`,
    `hltype` and `hlval` now format only when autobahn's log level writes debug lines."""
    import autobahn.twisted.websocket as twisted_websocket
    import autobahn.websocket.protocol as protocol
    import txaio

    def only_for_debug(real: Callable[..., str]) -> Callable[..., str]:
        def formatted(*args: object, **kwargs: object) -> str:
            if txaio.get_global_log_level() in ("debug", "trace"):  # type: ignore[attr-defined]
                return real(*args, **kwargs)
            return ""

        return formatted

    for module in (protocol, twisted_websocket):
        for name in ("pformat", "hltype", "hlval"):
            if hasattr(module, name):
                setattr(module, name, only_for_debug(getattr(module, name)))


# The largest frame payload `masker_for` gives an `IntegerXorMasker`; beyond about 1.5 KB the
# native masker's copies cost less than the integer's work.
INTEGER_MASK_MAX_BYTES = 1024


class IntegerXorMasker:
    """autobahn's masker interface (`process`, `pointer`, `reset`), XOR-ing a payload with the
    repeated mask as one integer. A payload read in pieces continues the mask where the
    previous piece left it."""

    __slots__ = ("mask", "position")

    def __init__(self, mask: bytes) -> None:
        self.mask = bytes(mask)
        self.position = 0

    def pointer(self) -> int:
        return self.position

    def reset(self) -> None:
        self.position = 0

    def process(self, data: bytes) -> bytes:
        """The piece of payload, unmasked (or masked: XOR is its own inverse)."""
        size = len(data)
        start = self.position % 4
        self.position += size
        key = (self.mask[start:] + self.mask[:start]) * (size // 4 + 1)
        return (int.from_bytes(data, "little") ^ int.from_bytes(key[:size], "little")).to_bytes(size, "little")


def _unmask_small_frames_with_integers() -> None:
    """autobahn makes a native masker (NVX, through CFFI) for every frame a client sends: a C
    object with a finalizer, and two copies of the payload through CFFI buffers, 3-5 µs for a
    chat frame of 200 bytes where `IntegerXorMasker` takes 1-1.5 µs (a Hooligram send comes with
    three acknowledgements, each a frame). Frames up to INTEGER_MASK_MAX_BYTES now get that one."""
    import autobahn.websocket.protocol as protocol

    native = protocol.create_xor_masker

    def masker_for(mask: bytes, length: int | None = None) -> Any:
        if length is not None and length <= INTEGER_MASK_MAX_BYTES:
            return IntegerXorMasker(mask)
        return native(mask, length)

    protocol.create_xor_masker = masker_for


def _call_selectable(selectable: object, read_or_write: Callable[..., Any], *args: object) -> Any:
    """Call the reactor's `_readOrWrite` for a ready socket; it logs a failure itself."""
    return read_or_write(*args)


def _read_and_write_without_log_context() -> None:
    """Twisted's asyncio reactor registers every socket read and every pending write through
    `callWithLogger`, which asks the connection for its log prefix and runs the call in a new
    legacy-log context (a dictionary copied and pushed, then popped): 1.2 µs a ready socket
    (timeit), 2.8 % of the event loop at Hooligram 10,000 users (py-spy). The reactor's
    `_readOrWrite` already catches and logs a failure, and nothing the server logs reads that
    context, so ready sockets now call it directly."""
    from twisted.internet import asyncioreactor

    asyncioreactor.callWithLogger = _call_selectable


def _lose_connections_whose_poll_uvloop_closed() -> None:
    """On an error event (EPOLLERR: a client's reset arriving while its socket has data to send),
    libuv stops the socket's poll handle and uvloop closes it, without calling the reader Twisted
    registered: Twisted never learnt the connection was lost, and the next write (the answer to
    the client's last frame, then each keep-alive ping) failed with a RuntimeError from the closed
    handle. The connection never ended on the server and its user stayed online for good. A
    registration that meets a closed handle now loses the connection, as a failed read would."""
    from twisted.internet import asyncioreactor, error

    reactor_class = asyncioreactor.AsyncioSelectorReactor
    add_reader, add_writer = reactor_class.addReader, reactor_class.addWriter

    def lose(reactor: Any, selectable: Any) -> None:
        if getattr(selectable, "connected", False):
            reactor._disconnectSelectable(selectable, error.ConnectionLost(), False)

    def added(register: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
        def register_or_lose(reactor: Any, selectable: Any) -> None:
            try:
                register(reactor, selectable)
            except RuntimeError:  # uvloop's "the handler is closed"
                reactor.callLater(0, lose, reactor, selectable)

        return register_or_lose

    reactor_class.addReader = added(add_reader)  # type: ignore[method-assign]
    reactor_class.addWriter = added(add_writer)  # type: ignore[method-assign]


def _write_to_the_socket_at_once() -> None:
    """Twisted's TCP connections buffer every write and register the socket with the event loop,
    which sends the data on its next turn and unregisters the socket: two `epoll_ctl` calls, a
    turn's delay behind every other ready socket, and Twisted's bookkeeping for each frame sent.
    A write to a connection with nothing buffered now goes to the socket at once, as asyncio's and
    uvloop's transports send theirs; what the socket does not take (its buffer full), anything
    but bytes, a failed send, a connection that started TLS on itself, one being aborted and one
    fed by a pull producer (which Twisted asks for more only as its buffer empties) are left to
    Twisted's write, which buffers, encrypts, drops, pulls and reports failures as before. The
    servers' CPU a Hooligram send at 10,000 users: 0.46 ms against 0.48."""
    from twisted.internet import tcp

    buffered_write = tcp.Connection.write

    def write(self: tcp.Connection, data: bytes) -> None:
        if (
            type(data) is bytes
            and data
            and not self.TLS
            and self.connected
            and not self._aborting
            and (self.producer is None or self.streamingProducer)
            and not self._writeDisconnected
            and not self._tempDataLen
            and self.offset == len(self.dataBuffer)
        ):
            sent = self.writeSomeData(data)
            if isinstance(sent, int) and sent > 0:
                if sent == len(data):
                    return
                data = data[sent:]
        buffered_write(self, data)

    tcp.Connection.write = write  # type: ignore[assignment,method-assign]


if __name__ == "__main__":
    main()
