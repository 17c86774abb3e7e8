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


async def test_the_drain_closes_open_websockets_in_random_order_over_its_spread_and_new_ones_at_once():
    """So that their clients do not all reconnect to the other processes in the same second."""
    from twisted.internet.address import IPv4Address
    from twisted.internet.testing import StringTransport

    from config.websocket_protocol import clean_closing_factory

    loop = asyncio.get_running_loop()
    factory = clean_closing_factory()(server_class=None)
    closed_at: dict[object, float] = {}

    def websocket(state: str) -> object:
        protocol = factory.buildProtocol(IPv4Address("TCP", "127.0.0.1", 50000))
        protocol.makeConnection(StringTransport())
        protocol.openHandshakeTimeoutCall.cancel()  # no handshake follows
        protocol.state = getattr(protocol, state)
        close = protocol.sendCloseFrame

        def recorded(*args, **kwargs) -> None:
            closed_at.setdefault(protocol, time.monotonic())
            close(*args, **kwargs)

        protocol.sendCloseFrame = recorded
        return protocol

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


def test_closes_keep_to_their_rate_within_half_the_drain(caplog):
    from config.shutdown import close_spread

    assert close_spread(5000, 500, 30) == 10  # 500 a second
    assert close_spread(5000, 0, 30) == close_spread(0, 500, 30) == 0  # at once; nothing to close
    assert not caplog.records
    assert close_spread(20000, 500, 30) == 15  # half the drain: 1,333 a second
    (record,) = caplog.records
    assert record.levelname == "WARNING"
    assert "SHUTDOWN_CLOSE_RATE" in record.getMessage() and "a drain of 80 s" in record.getMessage()
