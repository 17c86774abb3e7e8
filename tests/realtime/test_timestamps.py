"""Times on SAMA's and Hooligram's wire: UTC to the millisecond with a `Z`, as `isoformat` gives."""

from datetime import UTC, datetime, timedelta

import pytest

from protocols.timestamps import iso

START = datetime(2022, 10, 13, 13, 11, 4, tzinfo=UTC)


@pytest.mark.parametrize("micros", [0, 1, 447_000, 447_999, 833_000, 999_499, 999_999])
def test_a_time_is_given_to_the_millisecond_it_falls_in(micros):
    moment = START + timedelta(microseconds=micros)
    assert iso(moment.timestamp()) == f"2022-10-13T13:11:04.{micros // 1000:03d}Z"


def test_times_of_one_second_keep_their_own_milliseconds():
    assert iso(START.timestamp() + 0.25) == "2022-10-13T13:11:04.250Z"
    assert iso(START.timestamp() + 0.5) == "2022-10-13T13:11:04.500Z"
    assert iso(START.timestamp() + 1) == "2022-10-13T13:11:05.000Z"


def test_every_millisecond_of_a_day_reads_as_isoformat_does():
    for step in range(0, 86_400_000, 86_399):  # about a thousand times, every field changing
        moment = datetime(2026, 12, 31, tzinfo=UTC) + timedelta(milliseconds=step, microseconds=step % 1000)
        assert iso(moment.timestamp()) == moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_no_time_is_none():
    assert iso(None) is None
