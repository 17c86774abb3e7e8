"""NkCHAT's wire shapes: ids as strings, times as Unix milliseconds, and search parameters.

Objects: a user is `{user_id, login, name, surname, email, phone, created_time, updated_time}`, a
conversation `{conversation_id, name, description, owner_id, created_time, updated_time}` and a
message `{message_id, conversation_id, user_id, message, created_time, updated_time}`. Their field
names are the ones `search` filters on, sorts on and picks with `fields`.
"""

from datetime import datetime
from typing import Any

from accounts.models import User
from chats.models import Conversation
from config.errors import Invalid, ServiceError
from messaging.models import Message
from realtime.adapter import to_id

ALL_FIELDS = "_all"


def ms(value: datetime | None) -> int | None:
    """A datetime as Unix milliseconds."""
    return int(value.timestamp() * 1000) if value is not None else None


def sid(value: int | None) -> str | None:
    return str(value) if value is not None else None


def user(u: User) -> dict[str, Any]:
    return {
        "user_id": str(u.pk),
        "login": u.username,
        "name": u.first_name,
        "surname": u.last_name,
        "email": u.email,
        "phone": u.phone,
        "created_time": ms(u.date_joined),
        "updated_time": ms(u.updated_at),
    }


def conversation(c: Conversation) -> dict[str, Any]:
    return {
        "conversation_id": str(c.pk),
        "name": c.name,
        "description": c.description,
        "owner_id": sid(c.owner_id),
        "created_time": ms(c.created_at),
        "updated_time": ms(c.updated_at),
    }


def message(m: Message) -> dict[str, Any]:
    """A message; beyond the document, `replied_message_id` and `forwarded_message_id` when set."""
    out = {
        "message_id": str(m.pk),
        "conversation_id": str(m.conversation_id),
        "user_id": sid(m.sender_id),
        "message": m.body,
        "created_time": ms(m.created_at),
        "updated_time": ms(m.updated_at),
    }
    if m.replied_message_id is not None:
        out["replied_message_id"] = str(m.replied_message_id)
    if m.forwarded_message_id is not None:
        out["forwarded_message_id"] = str(m.forwarded_message_id)
    return out


# The profile fields NkCHAT names otherwise than the domain, for error messages.
WIRE_NAMES = {"first_name": "name", "last_name": "surname"}


def error(error: ServiceError) -> dict[str, Any]:
    return {"error": error.renamed(WIRE_NAMES), "code": error.status}


# --- search ------------------------------------------------------------------------------------


class SearchSpec:
    """One entity's wire fields: which exist, and the service-layer name of each searchable one."""

    def __init__(self, id_field: str, fields: tuple[str, ...], filters: dict[str, str], sorts: dict[str, str]):
        self.id_field, self.fields, self.filters, self.sorts = id_field, fields, filters, sorts


USER_SEARCH = SearchSpec(
    "user_id",
    ("user_id", "login", "name", "surname", "email", "phone", "created_time", "updated_time"),
    filters={
        "user_id": "id",
        "login": "login",
        "name": "first_name",
        "surname": "last_name",
        "email": "email",
        "phone": "phone",
    },
    sorts={
        "user_id": "id",
        "login": "login",
        "name": "first_name",
        "surname": "last_name",
        "email": "email",
        "phone": "phone",
        "created_time": "created_at",
        "updated_time": "updated_at",
    },
)
CONVERSATION_SEARCH = SearchSpec(
    "conversation_id",
    ("conversation_id", "name", "description", "owner_id", "created_time", "updated_time"),
    filters={"conversation_id": "id", "name": "name", "description": "description", "owner_id": "owner_id"},
    sorts={
        "conversation_id": "id",
        "name": "name",
        "description": "description",
        "owner_id": "owner_id",
        "created_time": "created_at",
        "updated_time": "updated_at",
    },
)
MESSAGE_SEARCH = SearchSpec(
    "message_id",
    ("message_id", "conversation_id", "user_id", "message", "created_time", "updated_time"),
    filters={"message_id": "id", "conversation_id": "conversation_id", "user_id": "sender_id", "message": "body"},
    sorts={
        "message_id": "id",
        "conversation_id": "conversation_id",
        "user_id": "sender_id",
        "message": "body",
        "created_time": "created_at",
        "updated_time": "updated_at",
    },
)


def _names(value: object, key: str) -> list[str]:
    """A list of field names; a single name is accepted as a list of one."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{key} must be a list of field names")
    return value


def search_params(data: dict[str, Any], spec: SearchSpec) -> tuple[dict[str, Any], list[str] | None]:
    """(keyword arguments for a `messaging.search` function, the fields to answer or None for all)."""
    fields = _names(data.get("fields"), "fields")
    for name in fields:
        if name != ALL_FIELDS and name not in spec.fields:
            raise Invalid(f"unknown field {name}")
    picked = None if not fields or ALL_FIELDS in fields else fields
    raw_filter = data.get("filter")
    if raw_filter is None:
        raw_filter = {}
    if not isinstance(raw_filter, dict):
        raise Invalid("filter must be an object")
    filters = {}
    for name, value in raw_filter.items():
        if name not in spec.filters:
            raise Invalid(f"cannot filter on {name}")
        if name.endswith("_id"):
            value = to_id(value, f"filter {name}")
        elif not isinstance(value, str):
            raise Invalid(f"filter {name} must be a string")
        filters[spec.filters[name]] = value
    sort_by = []
    for name in _names(data.get("sort_by"), "sort_by"):
        if name not in spec.sorts:
            raise Invalid(f"cannot sort on {name}")
        sort_by.append(spec.sorts[name])
    order = data.get("sort_order", "asc")
    if order not in ("asc", "desc"):
        raise Invalid('sort_order must be "asc" or "desc"')
    params = {
        "filters": filters,
        "sort_by": sort_by,
        "descending": order == "desc",
        "offset": data.get("from"),
        "size": data.get("size"),
    }
    return params, picked


def pick(obj: dict[str, Any], fields: list[str] | None, id_field: str) -> dict[str, Any]:
    """The object with only the requested fields (and always its id)."""
    if fields is None:
        return obj
    return {k: v for k, v in obj.items() if k == id_field or k in fields}


def wire_id(data: dict[str, Any], key: str) -> int:
    """A required id field of the request's data."""
    if data.get(key) is None:
        raise Invalid(f"{key} is required")
    return to_id(data[key], key)
