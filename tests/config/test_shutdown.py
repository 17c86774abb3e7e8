"""A stopping server waits for the applications of its connections that are under way, those that
start meanwhile too, and no longer than its limit (config/shutdown.py; its whole shutdown is
tested over TCP against a server process: tests/multiprocess/test_shutdown.py)."""

import asyncio
import time


def _server_with(*instances: asyncio.Future):
    from config.shutdown import DrainingServer

    server = DrainingServer(application=None, endpoints=["tcp:port=0:interface=127.0.0.1"])  # never run
    server.connections = {object(): {"application_instance": instance} for instance in instances}
    return server


async def test_the_drain_ends_once_every_application_has_finished():
    loop = asyncio.get_running_loop()
    done, finishing = loop.create_future(), loop.create_future()
    done.set_result(None)
    loop.call_later(0.2, finishing.set_result, None)
    server = _server_with(done, finishing)
    assert server.under_way() == [finishing]
    began = time.monotonic()
    await server.drain(10)
    assert finishing.done() and server.under_way() == []
    assert time.monotonic() - began < 5  # not its limit


async def test_the_drain_gives_up_on_an_application_that_does_not_finish_after_its_limit():
    stuck = asyncio.get_running_loop().create_future()
    server = _server_with(stuck)
    began = time.monotonic()
    await server.drain(0.3)
    assert 0.25 <= time.monotonic() - began < 5  # its limit (the loop's clock may run a little early)
    assert server.under_way() == [stuck]  # daphne's own shutdown cancels it next


async def test_the_drain_also_waits_for_an_application_that_started_after_it_began():
    """A request on a kept-alive connection, or a handshake under way, starts one meanwhile."""
    loop = asyncio.get_running_loop()
    server = _server_with()
    later = loop.create_future()

    def start_one() -> None:
        server.connections[object()] = {"application_instance": later}
        loop.call_later(0.3, later.set_result, None)

    loop.call_later(0.05, start_one)
    server.connections[object()] = {"application_instance": (first := loop.create_future())}
    loop.call_later(0.1, first.set_result, None)
    await server.drain(10)
    assert later.done() and server.under_way() == []


class _Consumer:
    """Stands for a WebSocket's consumer: the queue of its messages, which closes its connection
    when told to go away, as realtime.consumers does (unless `stuck` on a frame)."""

    def __init__(self, protocol, *, stuck: bool = False) -> None:
        self.protocol, self.stuck, self.told_at = protocol, stuck, None

    def put_nowait(self, message: dict) -> None:
        from realtime.consumers import GOING_AWAY

        assert message == {"type": GOING_AWAY} and self.told_at is None
        self.told_at = time.monotonic()
        if not self.stuck:
            self.protocol.sendCloseFrame(code=1001, reasonUtf8=b"server shutting down")


def _websockets():
    """Make WebSocket protocols of the server's factory, in a state, their close frames timed."""
    from twisted.internet.address import IPv4Address
    from twisted.internet.testing import StringTransport

    from config.websocket_protocol import clean_closing_factory

    factory = clean_closing_factory()(server_class=None)
    closed_at: dict[object, float] = {}

    def websocket(state: str, *, stuck: bool = False) -> object:
        protocol = factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 50000))
        protocol.makeConnection(StringTransport())
        protocol.openHandshakeTimeoutCall.cancel()  # no handshake follows
        protocol.state = getattr(protocol, state)
        protocol.application_queue = _Consumer(protocol, stuck=stuck)
        close = protocol.sendCloseFrame

        def recorded(*args, **kwargs) -> None:
            closed_at.setdefault(protocol, time.monotonic())
            close(*args, **kwargs)

        protocol.sendCloseFrame = recorded
        return protocol

    return websocket, closed_at


async def test_the_drain_sends_open_websockets_away_in_random_order_at_its_rate_and_new_ones_at_once():
    """So that their clients do not all reconnect to the other processes in the same second."""
    loop = asyncio.get_running_loop()
    websocket, closed_at = _websockets()
    done = loop.create_future()
    done.set_result(None)
    server = _server_with()
    open_ones = [websocket("STATE_OPEN") for _ in range(4)]
    server.connections = {protocol: {"application_instance": done} for protocol in open_ones}
    opening = websocket("STATE_OPEN")  # a handshake under way when the drain began, done meanwhile
    loop.call_later(0.2, server.connections.__setitem__, opening, {"application_instance": done})

    began = time.monotonic()
    await server.drain(10, close_rate=4 / 1.2)  # four over 1.2 s: at 0, 0.3, 0.6 and 0.9 s
    times = sorted(closed_at[protocol] - began for protocol in open_ones)
    assert times[0] < 0.2 and 0.75 <= times[-1] < 2
    assert 0.15 <= closed_at[opening] - began < 0.5  # closed at the drain's next turn, not in the spread
    assert all(protocol.state == protocol.STATE_CLOSING for protocol in [*open_ones, opening])


async def test_a_websocket_whose_consumer_is_stuck_on_a_frame_is_closed_by_the_server(monkeypatch):
    """Its consumer would close it after the frame; the server does, a while after telling it."""
    from config import shutdown

    monkeypatch.setattr(shutdown, "GOING_AWAY_WAIT_SECONDS", 0.4)
    loop = asyncio.get_running_loop()
    websocket, closed_at = _websockets()
    stuck, idle = websocket("STATE_OPEN", stuck=True), websocket("STATE_OPEN")
    running = loop.create_future()
    loop.call_later(1.0, running.set_result, None)  # its disconnect, once the client answered the close
    server = _server_with()
    server.connections = {stuck: {"application_instance": running}, idle: {"application_instance": running}}

    began = time.monotonic()
    await server.drain(10)
    assert closed_at[idle] - began < 0.1  # its consumer closed it when told
    told_at = stuck.application_queue.told_at
    assert told_at - began < 0.1 and 0.4 <= closed_at[stuck] - told_at < 0.7
    assert stuck.state == stuck.STATE_CLOSING


def test_closes_keep_to_their_rate_within_half_the_drain(caplog):
    from config.shutdown import close_spread

    assert close_spread(5000, 500, 30) == 10  # 500 a second
    assert close_spread(5000, 0, 30) == close_spread(0, 500, 30) == 0  # at once; nothing to close
    assert not caplog.records
    assert close_spread(20000, 500, 30) == 15  # half the drain: 1,333 a second
    (record,) = caplog.records
    assert record.levelname == "WARNING"
    assert "SHUTDOWN_CLOSE_RATE" in record.getMessage() and "a drain of 80 s" in record.getMessage()
