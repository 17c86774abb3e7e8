"""Request-argument parsing shared by the SAMA request mixins (address book, push, presence, ...)."""

from datetime import UTC, datetime
from typing import Any

from config.errors import Invalid

MS_MAX = 1e14


def params(value: object, name: str) -> dict[str, Any]:
    """The request's parameters as an object (an absent one as `{}`), or Invalid."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"{name} must be an object")
    return value


def ms_time(value: object, field: str) -> datetime:
    """A timestamp in milliseconds (or an ISO 8601 string) as an aware datetime, or Invalid."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < MS_MAX:
        return datetime.fromtimestamp(value / 1000, UTC)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise Invalid(f"{field} must be a timestamp in milliseconds")


def ms_bounds(value: object, field: str) -> tuple[datetime | None, datetime | None]:
    """`{gt: ms, lt: ms}` as (after, before); a bare timestamp means `gt`; absent or "" means neither."""
    if value is None or value == "":
        return None, None
    if not isinstance(value, dict):
        return ms_time(value, field), None
    after = ms_time(value["gt"], f"{field}.gt") if value.get("gt") is not None else None
    before = ms_time(value["lt"], f"{field}.lt") if value.get("lt") is not None else None
    return after, before


def limit(value: object) -> int | None:
    """A positive page size, or None when not given."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise Invalid("limit must be a positive integer")
    return value
