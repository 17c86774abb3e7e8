"""Running SQL written once: as a prepared statement, with server-side parameters, on PostgreSQL.

Django binds parameters on the client, so PostgreSQL parses and plans every query it is sent. The
hot paths' few statements (a send, a batch of receipts, a Hooligram sign-in's backlog) instead run
through a plain psycopg cursor on Django's connection with `prepare=True`: parsed and planned once
per connection, then only executed. Prepared statements need `prepare_threshold` in the
connection's options (config/settings.py); without it psycopg sends them unprepared, which still
works.

`columns` and `instance_at` turn such a statement's rows into model instances, with the same
conversions the ORM applies."""

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model

M = TypeVar("M", bound=Model)


@contextmanager
def executed(sql: str, params: Sequence[Any]) -> Iterator[Any]:
    """A cursor that ran `sql`: prepared, with server-side parameters, on PostgreSQL; through
    Django's cursor elsewhere."""
    db = connections[DEFAULT_DB_ALIAS]  # once: each attribute read through `connection` costs 2 µs
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            yield cursor
        return
    import psycopg

    db.close_if_health_check_failed()
    db.ensure_connection()
    started = time.monotonic()
    with db.wrap_database_errors, psycopg.Cursor(db.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        if db.queries_logged:  # counted like Django's own queries (DEBUG, query-count tests)
            db.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
        yield cursor


def both_in_one(first: tuple[str, int], second: tuple[str, int], order_by: str) -> str:
    """Two SELECTs, each given with its number of columns, as one statement (one round trip instead
    of two): every row starts with 0 (a row of the first) or 1 (of the second), then the first's
    columns, then the second's, the other's being NULL; `order_by` orders them all (by position).
    The first's parameters come first. `rows_of_each` splits what it answers."""
    (first_sql, first_width), (second_sql, second_width) = first, second
    return (
        f"SELECT 0, a.*{', NULL' * second_width} FROM ({first_sql}) a"
        f" UNION ALL SELECT 1{', NULL' * first_width}, b.* FROM ({second_sql}) b ORDER BY {order_by}"
    )


def rows_of_each(rows: Sequence[Sequence[Any]], first_width: int) -> tuple[list[Sequence[Any]], list[Sequence[Any]]]:
    """The rows of a `both_in_one` statement: the first SELECT's and the second's, each with only
    its own columns."""
    first, second = [], []
    for row in rows:
        if row[0] == 0:
            first.append(row[1 : 1 + first_width])
        else:
            second.append(row[1 + first_width :])
    return first, second


def id_pairs(name: str, columns: tuple[str, str], pairs: Sequence[tuple[int, int]]) -> tuple[str, list]:
    """A CTE `name (first, second)` of id pairs, and its parameters (see `id_rows`)."""
    return id_rows(name, columns, pairs)


def id_rows(name: str, columns: tuple[str, ...], rows: Sequence[tuple[int, ...]]) -> tuple[str, list]:
    """A CTE `name (columns…)` of rows of ids, and its parameters: on PostgreSQL one array per
    column, so the text (and the prepared statement) is the same whatever the number of rows;
    elsewhere VALUES.

    Each array goes as its text (`{1,2,3}`) for PostgreSQL to cast: psycopg's list dumper looks
    up a dumper per element, which took 180 µs for two arrays of 100 ids (py-spy: a sixth of the
    database threads' time under Hooligram load, whose receipt batches are arrays of pairs)."""
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        arrays = ", ".join(["%s::bigint[]"] * len(columns))
        ids = ["{" + ",".join([str(int(row[i])) for row in rows]) + "}" for i in range(len(columns))]
        return f"{name} ({names}) AS (SELECT * FROM unnest({arrays}))", ids
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    values = ", ".join([one] * len(rows))
    return f"{name} ({names}) AS (VALUES {values})", [value for row in rows for value in row]


def columns(model: type[Model], alias: str) -> str:
    """A model's columns for a SELECT written once, qualified by the table's alias, in the order
    `instance_at` reads them."""
    return ", ".join(f"{alias}.{field.column}" for field in model._meta.concrete_fields)


@cache
def _reading(model: type[Model], vendor: str) -> tuple[list[str], list[tuple[Any, list[Any]]]]:
    """Once per model: its concrete fields' attribute names, and each one's column with the
    converters Django applies to its values (as a query compiler does: the backend's, then the
    field's)."""
    fields = model._meta.concrete_fields
    converters = []
    for field in fields:
        column = field.get_col(model._meta.db_table)
        converters.append((column, connection.ops.get_db_converters(column) + column.get_db_converters(connection)))
    return [field.attname for field in fields], converters


def instance_at(model: type[M], row: Sequence[Any], start: int) -> tuple[M, int]:
    """The instance whose columns (see `columns`) start at `row[start]`, and where the next ones start."""
    db = connections[DEFAULT_DB_ALIAS]
    attnames, converters = _reading(model, db.vendor)
    values = []
    for value, (column, convert_all) in zip(row[start : start + len(attnames)], converters, strict=True):
        for convert in convert_all:
            value = convert(value, column, db)
        values.append(value)
    return model.from_db(db.alias, attnames, values), start + len(attnames)
