"""The one rule for the ids a request names: what reads as a database id, how many a request may
hold at once, and the one wording of the error, for every service and protocol."""

from collections.abc import Iterable

from config.errors import Invalid

# Database ids are positive 64-bit integers (PostgreSQL's bigint).
ID_MAX = 2**63 - 1
# The most digits an id written as text may have (2^63 - 1 has 19; leading zeros fit within them).
ID_DIGITS_MAX = 19


def wire_id(value: object) -> int | None:
    """The database id a request gives (a JSON integer, or a string of at most 19 ASCII digits)
    when it lies in 1 .. 2^63 - 1; None for anything else (booleans, floats, other digits)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= ID_MAX else None
    if isinstance(value, str) and 0 < len(value) <= ID_DIGITS_MAX and value.isascii() and value.isdigit():
        number = int(value)
        return number if 0 < number <= ID_MAX else None
    return None


def ids_within(count: int, *, limit: int, field: str = "ids", required: bool = False) -> None:
    """Invalid when a request names more than `limit` ids, or (when `required`) none."""
    if required and not count:
        raise Invalid(f"{field} must not be empty", code="invalid_ids")
    if count > limit:
        raise Invalid(f"{field} holds at most {limit} ids", code="invalid_ids")


def ids_distinct(ids: Iterable[int], *, limit: int, field: str = "ids", required: bool = False) -> list[int]:
    """The distinct ids in ascending order; Invalid when there are more than `limit`, or (when
    `required`) none."""
    distinct = sorted({int(i) for i in ids})
    ids_within(len(distinct), limit=limit, field=field, required=required)
    return distinct
