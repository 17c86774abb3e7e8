"""Matching deliveries to sends and the figures computed from them (no server needed)."""

from loadtest.stats import (
    GroupsResult,
    Ledger,
    cpu_ms_per_operation,
    make_body,
    markdown_row,
    parse_body,
    percentile,
)
from loadtest.workers import deal, split_groups


def test_body_round_trip_and_foreign_bodies():
    assert parse_body(make_body("ab.0.3.1", 1700000000.25)) == ("ab.0.3.1", 1700000000.25)
    assert parse_body("hello") is None
    assert parse_body(None) is None
    assert parse_body("lt|x|not-a-time") is None


def test_percentile_is_nearest_rank():
    ordered = [float(n) for n in range(1, 101)]
    assert percentile(ordered, 0.50) == 50.0
    assert percentile(ordered, 0.99) == 99.0
    assert percentile(ordered, 1.0) == 100.0
    assert percentile([], 0.99) == 0.0


def test_ledger_counts_latency_losses_duplicates_and_failures():
    ledger = Ledger()
    ledger.sent("a", 100.0, expected=3, measured=True)
    ledger.sent("b", 100.0, expected=3, measured=True)
    ledger.sent("warm", 99.0, expected=3, measured=False)
    ledger.acked("a", 100.01)
    ledger.failed("b")
    for now in (100.02, 100.03, 100.04, 100.05):  # one more than expected: a duplicate
        ledger.delivered(make_body("a", 100.0), now)
    ledger.delivered(make_body("warm", 99.0), 99.5)
    ledger.delivered("someone else's message", 100.0)
    assert ledger.pending() == 3  # b: three deliveries awaited (it failed, so no ack awaited)
    result = ledger.result()
    assert (result.sends, result.sends_failed, result.expected, result.delivered) == (2, 1, 6, 3)
    assert (result.lost, result.duplicates, result.unknown) == (3, 1, 1)
    assert [round(x) for x in result.latencies_ms] == [20, 30, 40]
    summary = result.summary(duration=2.0)
    assert summary["sends_per_s"] == 1.0 and summary["deliveries_per_s"] == 1.5
    assert summary["p50_ms"] == 30.0 and summary["max_ms"] == 40.0 and summary["ack_p50_ms"] == 10.0


def test_results_of_several_generators_merge():
    total = GroupsResult()
    total.merge(GroupsResult(sends=2, expected=6, delivered=6, latencies_ms=[1.0]))
    total.merge(GroupsResult(sends=1, expected=3, delivered=2, latencies_ms=[2.0]))
    assert (total.sends, total.lost, total.latencies_ms) == (3, 1, [1.0, 2.0])


def test_groups_are_whole_and_dealt_round_robin():
    groups = split_groups(list(range(10)), 4)
    assert groups == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert deal([*groups, [8]], 2) == [[[0, 1, 2, 3], [8]], [[4, 5, 6, 7]]]


def test_a_run_becomes_a_row_of_the_results_table():
    figures = {"date": "d", "commit": "c", "protocol": "sama", "period_s": 5.0, "steady_s": 60.0, "users": 8}
    figures |= {"servers": 1, "server_cpu_pct": 10.0, "server_rss_mb": 90.0, "p99_ms": 12.5}
    row = markdown_row(figures)
    assert row.startswith("| d | c | sama groups, P=5 s, 60 s | 8 | 1 |")
    assert "| 12.5 |" in row and "| 10.0 / 90.0 |" in row


def test_slow_deliveries_are_counted_by_the_second_of_their_send():
    ledger = Ledger()
    ledger.sent("early", 1000.2, expected=2, measured=True)
    ledger.sent("stalled", 1003.7, expected=2, measured=True)
    ledger.delivered(make_body("early", 1000.2), 1000.25)  # 50 ms: not slow
    ledger.delivered(make_body("early", 1000.2), 1000.45)  # 250 ms
    ledger.delivered(make_body("stalled", 1003.7), 1004.5)
    ledger.delivered(make_body("stalled", 1003.7), 1004.6)
    total = GroupsResult()
    total.merge(ledger.result())
    assert total.summary(duration=5.0, start=1000.0)["slow_seconds"] == {"+3s": 2, "+0s": 1}


def test_cpu_per_operation_is_each_set_s_cpu_over_the_rate():
    figures = {"sends_per_s": 800.0, "server_cpu_pct": 104.0, "postgres_cpu_pct": 40.0}
    assert cpu_ms_per_operation(figures, "sends_per_s", "server", "postgres", "redis") == {
        "server_cpu_ms_per_send": 1.3,
        "postgres_cpu_ms_per_send": 0.5,
    }
    assert cpu_ms_per_operation({"sign_ins_per_s": 0.0, "server_cpu_pct": 5.0}, "sign_ins_per_s", "server") == {
        "server_cpu_ms_per_sign_in": None
    }
