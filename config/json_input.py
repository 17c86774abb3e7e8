"""The rules every JSON value from a client passes before any handler sees it, on every protocol.

A value is refused (`Invalid`) when it is not JSON, is nested deeper than `JSON_MAX_DEPTH`, holds
text that PostgreSQL cannot store (a NUL character) or that cannot be encoded as UTF-8 (an unpaired
surrogate such as `"\\ud800"`), or a number no column holds (beyond 64-bit integers, or not finite).
WebSocket adapters (`realtime.adapter`) and HTTP parsers (`protocols.rest.parsers`,
`protocols.sama.http`) call these functions, so the rules hold on every path."""

import json
import math
import re
from typing import Any

import orjson
from django.conf import settings

from config.errors import Invalid

# Characters PostgreSQL text refuses (NUL) and that UTF-8 cannot encode (lone surrogates).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
# A run of digits long enough for an integer outside 64 bits (see `parse`). JSON numbers are ASCII
# digits; the leading class lets the scanner skip to the digits.
_LONG_DIGITS = re.compile(r"[0-9][0-9]{18}")
_LONG_DIGITS_BYTES = re.compile(rb"[0-9][0-9]{18}")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse(text: str | bytes, what: str = "Body") -> tuple[Any, bool]:
    """The JSON value of the text, and whether the text alone shows that the value keeps `check`'s
    rules (then it need not be walked); Invalid if the text is not JSON, not UTF-8, or too deep to
    parse. `what` names the text in the error ("Frame", "Body").

    orjson reads it first (a tenth of the standard parser's time on a chat frame). What orjson
    refuses goes to the standard parser, which judges it as it always has: text that is no JSON,
    but also JSON orjson does not read (unpaired surrogates, infinite numbers, nesting past
    1,024), which `check` then refuses with its own reasons. So does text with a run of 19 digits
    or more, since orjson reads an integer below -2**63 or above 2**64 - 1 as a float, which
    `check` would not see.

    A value orjson read keeps the rules when its text has no `\\u0000` (orjson refuses a raw NUL,
    an unpaired surrogate and an infinite number; an integer of at most 18 digits is within 64
    bits) and no more opening brackets than the depth allowed: every chat frame, checked in a scan
    of its text instead of a walk of its value, a third of the cost."""
    long_digits = _LONG_DIGITS_BYTES if isinstance(text, bytes) else _LONG_DIGITS
    if long_digits.search(text) is None:  # type: ignore[arg-type]
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
        else:
            return value, _plainly_within_rules(text)
    try:
        return json.loads(text, parse_constant=_refuse_constant), False
    except RecursionError as error:
        raise Invalid(_too_deep(), code="json_too_deep") from error
    except (ValueError, TypeError) as error:  # UnicodeDecodeError is a ValueError
        raise Invalid(f"{what} is not valid JSON", code="invalid_json") from error


def _plainly_within_rules(text: str | bytes) -> bool:
    """Whether a value orjson read from this text keeps `check`'s rules (see `parse`)."""
    if isinstance(text, bytes):
        return b"\\u0000" not in text and text.count(b"{") + text.count(b"[") <= settings.JSON_MAX_DEPTH
    return "\\u0000" not in text and text.count("{") + text.count("[") <= settings.JSON_MAX_DEPTH


def check(value: Any) -> None:
    """Invalid unless the parsed value is within the depth, text and number rules."""
    max_depth = settings.JSON_MAX_DEPTH
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict):
            if depth > max_depth:
                raise Invalid(_too_deep(), code="json_too_deep")
            for key, child in item.items():
                _check_text(key)
                if isinstance(child, (dict, list, str, int, float)):
                    stack.append((child, depth + 1))
        elif isinstance(item, list):
            if depth > max_depth:
                raise Invalid(_too_deep(), code="json_too_deep")
            stack.extend((child, depth + 1) for child in item if isinstance(child, (dict, list, str, int, float)))
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if not INT_MIN <= item <= INT_MAX:
                raise Invalid("Number is out of range", code="number_out_of_range")
        elif isinstance(item, float) and not math.isfinite(item):
            raise Invalid("Number is out of range", code="number_out_of_range")


def loads(text: str | bytes, what: str = "Body") -> Any:
    """`parse`, then `check` where the text did not show the rules kept: a client's JSON value that
    every handler may use."""
    value, kept = parse(text, what)
    if not kept:
        check(value)
    return value


def _check_text(text: str) -> None:
    if UNSTORABLE.search(text):
        raise Invalid("Text must not contain NUL characters or unpaired surrogates", code="invalid_text")


def _too_deep() -> str:
    return f"JSON is nested deeper than {settings.JSON_MAX_DEPTH} levels"
