"""The one rule for the ids a request names at once: how many it may hold, and the one wording of
the error, for every service and protocol."""

from collections.abc import Iterable

from config.errors import Invalid


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
