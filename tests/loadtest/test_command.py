"""The loadtest command end to end, tiny: it starts a daphne process on the test database and Redis,
drives a few users over real WebSockets from a generator process, and reports matched deliveries."""

import gc
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

pytestmark = [pytest.mark.multiprocess, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres_and_redis():
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("starts server processes: needs DATABASE_URL (PostgreSQL) and REDIS_URL")


def _run(tmp_path, *args, **options):
    out = tmp_path / "figures.jsonl"
    call_command("loadtest", *args, json=out, log_dir=tmp_path, no_migrate=True, **options)
    return [json.loads(line) for line in out.read_text().splitlines()]


@pytest.mark.parametrize("protocol", ["sama", "hooligram"])
def test_groups_run_matches_every_delivery(tmp_path, protocol):
    (figures,) = _run(
        tmp_path, "groups", protocol=protocol, users=8, period=1, ramp=100, duration=2, settle=0.2, drain=5
    )
    assert figures["protocol"] == protocol
    assert (figures["users"], figures["connected"], figures["users_failed"]) == (8, 8, 0)
    assert figures["sends"] >= 8 and figures["sends_failed"] == 0
    assert figures["deliveries"] == 3 * figures["sends"] and figures["deliveries_lost"] == 0
    assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    assert figures["server_rss_mb"] > 0 and "generator_cpu_pct" in figures and "server_cpu_pct" in figures
    assert figures["server_cpu_ms_per_send"] == round(10 * figures["server_cpu_pct"] / figures["sends_per_s"], 2)


@pytest.mark.parametrize("protocol", ["sama", "hooligram"])
def test_storm_signs_every_user_in_and_says_what_a_sign_in_cost(tmp_path, protocol):
    collecting, frozen = gc.isenabled(), gc.get_freeze_count() > 0
    (figures,) = _run(tmp_path, "storm", protocol=protocol, users=8, in_flight=4, servers=2)
    assert (gc.isenabled(), gc.get_freeze_count() > 0) == (collecting, frozen)  # the collector as it was
    assert (figures["protocol"], figures["users"], figures["signed_in"], figures["failed"]) == (protocol, 8, 8, 0)
    assert figures["in_flight"] == 4 and figures["rate"] is None and 1 <= figures["most_under_way"] <= 4
    assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    # Four users a server: each one's p99 is its slowest, and the slower of the two is the storm's.
    assert len(figures["p99_ms_by_server"]) == 2 and max(figures["p99_ms_by_server"]) == figures["max_ms"]
    # ... and its p50 the second of its four, at most its p99.
    p50s, p99s = figures["p50_ms_by_server"], figures["p99_ms_by_server"]
    assert len(p50s) == 2 and all(0 < p50 <= p99 for p50, p99 in zip(p50s, p99s, strict=True))
    assert min(p50s) <= figures["p50_ms"]
    # CPU is counted in clock ticks: eight sign-ins may cost none, so only the arithmetic is checked.
    assert figures["server_cpu_ms_per_sign_in"] == round(10 * figures["server_cpu_pct"] / figures["sign_ins_per_s"], 2)


def test_an_open_loop_storm_starts_its_sign_ins_at_the_rate_whatever_is_under_way(tmp_path):
    (figures,) = _run(tmp_path, "storm", protocol="sama", users=8, rate=40, servers=2)
    assert (figures["rate"], figures["in_flight"], figures["signed_in"], figures["failed"]) == (40, None, 8, 0)
    assert figures["storm_s"] >= 7 / 40  # the eighth starts 7/40 s after the first
    assert 1 <= figures["most_under_way"] <= 8


def test_a_rate_of_no_sign_ins_is_refused(tmp_path):
    with pytest.raises(CommandError, match="--rate"):
        _run(tmp_path, "storm", users=8, rate=0)


@pytest.mark.parametrize("close_rate", ["0", "10"])
def test_a_restart_stops_the_first_process_and_every_client_signs_in_again_on_the_next(tmp_path, close_rate):
    (figures,) = _run(
        tmp_path,
        "restart",
        protocol="sama",
        users=8,
        in_flight=4,
        servers=2,
        server_env=[f"SHUTDOWN_CLOSE_RATE={close_rate}"],
    )
    assert (figures["close_rate"], figures["signed_in_before"], figures["reconnected"], figures["failed"]) == (
        float(close_rate),
        8,
        8,
        0,
    )
    assert 0 <= figures["first_close_s"] <= figures["last_close_s"] <= figures["all_back_s"]
    assert 0 < figures["reconnect_p50_ms"] <= figures["reconnect_p99_ms"] <= figures["reconnect_max_ms"]
    assert 1 <= figures["most_reconnecting"] <= 8
    if close_rate != "0":  # eight closes, ten a second: the last 0.7 s after the signal
        assert figures["last_close_s"] >= 0.6


def test_a_resync_closes_every_process_s_connections_and_every_client_signs_in_again(tmp_path):
    (figures,) = _run(
        tmp_path, "resync", protocol="sama", users=8, in_flight=4, servers=2, server_env=["RESYNC_CLOSE_RATE=10"]
    )
    assert (figures["close_rate"], figures["signed_in_before"], figures["reconnected"], figures["failed"]) == (
        10.0,
        8,
        8,
        0,
    )
    # four a process, ten a second each: the last told 0.3 s after its process's first, within the
    # two seconds a hub takes to find its routes lost
    assert 0 <= figures["first_close_s"] <= figures["last_close_s"] <= figures["all_back_s"] < 10
    assert figures["last_close_s"] - figures["first_close_s"] >= 0.2
    assert 1 <= figures["most_reconnecting"] <= 8


def test_a_restart_needs_two_started_processes(tmp_path):
    with pytest.raises(CommandError, match="--servers 2"):
        _run(tmp_path, "restart", users=8, servers=1)


def test_idle_run_reports_memory_per_connection(tmp_path):
    (figures,) = _run(tmp_path, "idle", users=8, ramp=100, settle=0.2)
    assert (figures["connections"], figures["connected"], figures["failed"]) == (8, 8, 0)
    assert figures["server_rss_full_mb"] > 0 and "kb_per_connection_marginal" in figures


def test_only_loopback_urls_are_targets(tmp_path):
    with pytest.raises(CommandError, match="loopback"):
        _run(tmp_path, "groups", url=["ws://192.0.2.1:8000"])
