"""Running SQL written once: as a prepared statement, with server-side parameters, on PostgreSQL.

Django binds parameters on the client, so PostgreSQL parses and plans every query it is sent. The
hot paths' few statements (a send, a batch of receipts) instead run through a plain psycopg cursor
on Django's connection with `prepare=True`: parsed and planned once per connection, then only
executed. Prepared statements need `prepare_threshold` in the connection's options
(config/settings.py); without it psycopg sends them unprepared, which still works."""

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection


@contextmanager
def executed(sql: str, params: Sequence[Any]) -> Iterator[Any]:
    """A cursor that ran `sql`: prepared, with server-side parameters, on PostgreSQL; through
    Django's cursor elsewhere."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            yield cursor
        return
    import psycopg

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    started = time.monotonic()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        if connection.queries_logged:  # counted like Django's own queries (DEBUG, query-count tests)
            connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
        yield cursor
