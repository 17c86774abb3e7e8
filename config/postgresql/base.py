"""Django's PostgreSQL backend, reading `timestamp with time zone` values with psycopg's C loader.

Django 5.2 reads every such value through a loader of its own, a subclass of psycopg's pure-Python
one (psycopg's C loaders cannot be subclassed; Django ticket #36960): 4.2 µs a value against
0.26 µs (timeit), six of them in a Hooligram sign-in's phone lookup and two or three a row in any
list of messages or chats. When the connection's time zone is UTC (USE_TZ without a DATABASES
TIME_ZONE, as config/settings.py has it) both give the same aware datetime, so connections read
them with Django's loader class (Django checks its `timezone` as it makes each cursor) handing each
value to psycopg's C one. Any other time zone keeps Django's loader."""

import datetime
from functools import cache
from typing import Any

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import BaseTzLoader
from psycopg import abc, adapt, adapters
from psycopg.pq import Format


class UtcTimestamptzLoader(BaseTzLoader):
    """Django's loader for a UTC connection, whose `load` is psycopg's C loader's: psycopg calls
    it directly for each value."""

    timezone = datetime.UTC

    def __init__(self, oid: int, context: abc.AdaptContext | None = None) -> None:
        super().__init__(oid, context)
        self.load = adapters.get_loader(oid, Format.TEXT)(oid, context).load  # type: ignore[misc]


@cache
def _with_c_timestamps(template: adapt.AdaptersMap) -> adapt.AdaptersMap:
    """Django's adapters for new connections, with UtcTimestamptzLoader (made once per template)."""
    context = adapt.AdaptersMap(template)
    context.register_loader("timestamptz", UtcTimestamptzLoader)
    return context


class DatabaseWrapper(base.DatabaseWrapper):
    """Django's, whose new connections read timestamps with `UtcTimestamptzLoader` when in UTC."""

    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        if self.timezone is datetime.UTC:
            params["context"] = _with_c_timestamps(params["context"])
        return params
