"""Paged search over users, conversations and messages, done in the database.

Each entity has a whitelist of fields one may filter on (equality) and sort on; a search answers the
total number of matches and one page of them. Conversations and messages are searched only among
those the acting user takes part in. Field names here are the model's; protocols map their own.

`message_search` is the other kind: the newest messages whose text contains a keyword.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Expression, F, Model, OrderBy, Q, QuerySet
from django.db.models.functions import Lower

from accounts.models import User
from accounts.phones import phone_e164, phone_writer_region
from accounts.selectors import staff_hidden
from chats.models import Conversation
from chats.selectors import conversations_of
from config.errors import Invalid
from config.id_lists import ids_distinct, wire_id
from config.paging import clamp_limit
from messaging.access import visible_messages
from messaging.models import Message

SIZE_DEFAULT = 10
SIZE_MAX = 100
OFFSET_MAX = 10_000
SORT_FIELDS_MAX = 4
TEXT_MAX = 255
KEYWORD_MAX = TEXT_MAX
KEYWORD_RESULTS_DEFAULT = 20
KEYWORD_CONVERSATIONS_MAX = 100

ID, TEXT, CI_TEXT = "id", "text", "ci_text"


@dataclass(frozen=True, slots=True)
class Field:
    """How to filter on (by equality) and sort on one field; `kind` says what a filter value is."""

    expression: str | Expression
    kind: str = TEXT
    filterable: bool = True
    sortable: bool = True

    def as_expression(self) -> F | Expression:
        return F(self.expression) if isinstance(self.expression, str) else self.expression


M = TypeVar("M", bound=Model)


@dataclass(frozen=True, slots=True)
class Page(Generic[M]):
    """The number of matches and the requested slice of them."""

    total: int
    items: list[M]


USER_FIELDS: dict[str, Field] = {
    "id": Field("pk", kind=ID),
    # Logins are unique whatever their case; this expression is the unique index's.
    "login": Field(Lower("username"), kind=CI_TEXT),
    "first_name": Field("first_name"),
    "last_name": Field("last_name"),
    "email": Field("email"),
    "phone": Field("phone"),  # filtered by number: user_search_page
    "created_at": Field("date_joined", filterable=False),
    "updated_at": Field("updated_at", filterable=False),
}

CONVERSATION_FIELDS: dict[str, Field] = {
    "id": Field("pk", kind=ID),
    "name": Field("name"),
    "description": Field("description"),
    "owner_id": Field("owner_id", kind=ID),
    "type": Field("type", sortable=False),
    "created_at": Field("created_at", filterable=False),
    "updated_at": Field("updated_at", filterable=False),
}

MESSAGE_FIELDS: dict[str, Field] = {
    "id": Field("pk", kind=ID),
    "conversation_id": Field("conversation_id", kind=ID),
    "sender_id": Field("sender_id", kind=ID),
    "body": Field("body"),
    "created_at": Field("created_at", filterable=False),
    "updated_at": Field("updated_at", filterable=False),
}


def _filter_value(name: str, kind: str, value: object) -> object:
    if kind == ID:
        number = wire_id(value)
        if number is None:
            raise Invalid(f"filter {name} must be an id", code="invalid_filter")
        return number
    if not isinstance(value, str) or len(value) > TEXT_MAX:
        raise Invalid(f"filter {name} must be a string of at most {TEXT_MAX} characters", code="invalid_filter")
    return value.lower() if kind == CI_TEXT else value


def _count(value: object, name: str, default: int, maximum: int) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Invalid(f"{name} must be a non-negative integer", code=f"invalid_{name}")
    return min(value, maximum)


def search_page(
    rows: QuerySet[M],
    fields: Mapping[str, Field],
    *,
    filters: Mapping[str, object] | None = None,
    sort_by: Sequence[str] = (),
    descending: bool = False,
    offset: object = 0,
    size: object = None,
) -> Page[M]:
    """Filter `rows` by equality on whitelisted fields, sort them (ties by id), answer one page."""
    offset = _count(offset, "from", 0, OFFSET_MAX)
    size = _count(size, "size", SIZE_DEFAULT, SIZE_MAX)
    for position, (name, value) in enumerate((filters or {}).items()):
        field = fields.get(name)
        if field is None or not field.filterable:
            raise Invalid(f"cannot filter on {name}", code="invalid_filter")
        alias = f"search_filter_{position}"
        rows = rows.alias(**{alias: field.as_expression()}).filter(**{alias: _filter_value(name, field.kind, value)})
    if len(sort_by) > SORT_FIELDS_MAX:
        raise Invalid(f"sort on at most {SORT_FIELDS_MAX} fields", code="invalid_sort")
    ordering = []
    for name in sort_by:
        field = fields.get(name)
        if field is None or not field.sortable:
            raise Invalid(f"cannot sort on {name}", code="invalid_sort")
        ordering.append(OrderBy(field.as_expression(), descending=descending))
    ordering.append(OrderBy(F("pk"), descending=descending))
    total = rows.count()
    items = list(rows.order_by(*ordering)[offset : offset + size]) if size and offset < total else []
    return Page(total=total, items=items)


# An equality filter on one of these names every user it keeps (NkCHAT's `login`, `name`, `surname`).
NAMING_FIELDS = frozenset({"login", "first_name", "last_name"})


def user_search_page(actor: User, **params: Any) -> Page[User]:
    """Active users, searched with `search_page`'s parameters; staff accounts only when a filter
    names them by login, first name or last name (`accounts.selectors.staff_hidden`). A phone
    filter that reads as a number (a national one in the actor's region, as their contacts are
    read) finds the users with that number however it was written, else the phone so written."""
    filters = dict(params.pop("filters", None) or {})
    users = User.objects.filter(is_active=True)
    if not NAMING_FIELDS & set(filters):
        users = staff_hidden(users)
    if "phone" in filters:
        phone = str(_filter_value("phone", TEXT, filters.pop("phone")))  # a string: TEXT
        number = phone_e164(phone, phone_writer_region(actor.phone_e164))
        users = users.filter(Q(phone=phone) | Q(phone_e164=number) if number else Q(phone=phone))
    return search_page(users, USER_FIELDS, filters=filters, **params)


def conversation_search_page(actor: User, **params: Any) -> Page[Conversation]:
    """The actor's conversations, searched with `search_page`'s parameters."""
    return search_page(conversations_of(actor), CONVERSATION_FIELDS, **params)


def message_search_page(actor: User, **params: Any) -> Page[Message]:
    """The messages the actor sees (in their conversations, neither deleted nor hidden from them)."""
    return search_page(visible_messages(actor), MESSAGE_FIELDS, **params)


def message_search(
    actor: User, *, keyword: object, conversation_ids: Sequence[int] | None = None, limit: int | None = None
) -> list[Message]:
    """The newest messages the actor sees whose text contains `keyword` (in any case), with their
    senders, newest first; only those of `conversation_ids` when given, where a conversation the
    actor is not in adds nothing. System messages (membership notices) are not searched.

    Asked for by SAMA's `message_search`, an extension of this server's."""
    if not isinstance(keyword, str) or not keyword.strip():
        raise Invalid("keyword must be a non-empty string", code="invalid_keyword")
    keyword = keyword.strip()
    if len(keyword) > KEYWORD_MAX:
        raise Invalid(f"keyword must be at most {KEYWORD_MAX} characters", code="invalid_keyword")
    rows = visible_messages(actor).filter(is_system=False, body__icontains=keyword)
    if conversation_ids is not None:
        cids = ids_distinct(conversation_ids, limit=KEYWORD_CONVERSATIONS_MAX, field="cids", required=True)
        rows = rows.filter(conversation_id__in=cids)
    rows = rows.select_related("sender").order_by("-id")
    return list(rows[: clamp_limit(limit, default=KEYWORD_RESULTS_DEFAULT)])
