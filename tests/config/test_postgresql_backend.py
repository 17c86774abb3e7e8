"""The PostgreSQL backend (config/postgresql) reads `timestamp with time zone` values with
psycopg's C loader, and reads them as Django's own loader does: aware, in UTC."""

import datetime

import psycopg
import pytest
from django.db import DataError, connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg.pq import Format

from config.postgresql.base import UtcTimestamptzLoader
from tests.helpers import make_user

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]

TIMESTAMPTZ = psycopg.adapters.types["timestamptz"].oid

# As PostgreSQL writes them on a UTC connection, from the first year to the last, with and without
# fractions of a second.
WRITTEN = [
    b"2026-12-05 10:58:09.123456+00",
    b"2026-03-29 01:30:00+00",
    b"0001-01-01 00:00:00+00",
    b"9999-12-31 23:59:59.999999+00",
    b"1999-12-31 23:59:59.5+00",
]


class DjangosLoader(BaseTzLoader):
    timezone = datetime.UTC


def test_connections_read_timestamps_with_psycopgs_c_loader() -> None:
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
    assert loader is UtcTimestamptzLoader
    load = loader(TIMESTAMPTZ, connection.connection).load
    assert type(load.__self__) is psycopg.adapters.get_loader(TIMESTAMPTZ, Format.TEXT)
    assert type(load.__self__).__module__.startswith("psycopg_binary")


def test_a_value_reads_as_with_djangos_loader() -> None:
    connection.ensure_connection()
    ours = UtcTimestamptzLoader(TIMESTAMPTZ, connection.connection)
    djangos = DjangosLoader(TIMESTAMPTZ, connection.connection)
    for text in WRITTEN:
        value = ours.load(text)
        assert value == djangos.load(text)
        assert value.tzinfo is datetime.UTC


def test_the_orm_and_sql_read_aware_utc_datetimes() -> None:
    joined = datetime.datetime(2026, 12, 5, 13, 58, 9, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=3)))
    user = make_user("timestamps")
    type(user).objects.filter(pk=user.pk).update(date_joined=joined)
    user.refresh_from_db()
    assert user.date_joined == joined
    assert user.date_joined.tzinfo is datetime.UTC
    assert (user.date_joined.hour, user.date_joined.microsecond) == (10, 123456)
    with connection.cursor() as cursor:
        cursor.execute("SELECT '2026-12-05 10:58:09+03'::timestamptz, NULL::timestamptz")
        assert cursor.fetchone() == (datetime.datetime(2026, 12, 5, 7, 58, 9, tzinfo=datetime.UTC), None)


def test_a_timestamp_past_python_datetimes_is_refused_as_before() -> None:
    with connection.cursor() as cursor, pytest.raises(DataError, match="after year 10K"):
        cursor.execute("SELECT 'infinity'::timestamptz")
        cursor.fetchone()
