"""The input rules' shortcut: a value whose text shows it keeps the rules is not walked, and
`loads` refuses exactly what parsing with the standard parser and walking the value refuses."""

import json

import pytest

from config import json_input
from config.errors import Invalid

FRAME = '{"id": "7:send", "payload": {"group_id": 12, "content": "héllo ✓ [x] {y}"}, "type": "SEND"}'

# Texts on the edge of each rule, and texts that look hostile and are not.
TEXTS = [
    FRAME,
    '"a\\u0000b"',
    '{"a\\u0000": 1}',
    '"a\\\\u0000b"',  # an escaped backslash, then "u0000": no NUL
    '"\\ud800"',
    '"\\ud83d\\ude00"',
    '{"\\udfff": 1}',
    "1e308",
    "1e309",
    "-1e999",
    "123456789012345678",
    "-123456789012345678",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "123456789012345678901234567890",
    "1234567890123456789.5",
    "[" * 64 + "]" * 64,
    "[" * 65 + "]" * 65,
    '["[[["' + "," + "[" * 62 + "]" * 62 + "]",
    "[" * 2000 + "]" * 2000,
    "NaN",
    "[1, 2",
]


def _refused(read) -> str | None:
    try:
        read()
    except Invalid as error:
        return error.code
    return None


def _reference(text: str | bytes) -> None:
    """The rules as the walk alone applies them to the standard parser's value."""
    try:
        value = json.loads(text, parse_constant=json_input._refuse_constant)
    except RecursionError as error:
        raise Invalid("", code="json_too_deep") from error
    except ValueError as error:
        raise Invalid("", code="invalid_json") from error
    json_input.check(value)


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("as_bytes", [False, True])
def test_loads_refuses_what_the_walk_refuses(text, as_bytes):
    source = text.encode() if as_bytes else text
    assert _refused(lambda: json_input.loads(source)) == _refused(lambda: _reference(source))


@pytest.mark.parametrize("text", TEXTS)
def test_a_value_said_to_keep_the_rules_keeps_them(text):
    try:
        value, kept = json_input.parse(text)
    except Invalid:
        return
    if kept:
        json_input.check(value)


def test_a_chat_frame_is_not_walked():
    assert json_input.parse(FRAME) == (json.loads(FRAME), True)
    assert json_input.parse(FRAME.encode()) == (json.loads(FRAME), True)


@pytest.mark.parametrize(
    "text",
    ['"\\u0000"', "[" * 65 + "]" * 65, '["[", ' + "[" * 63 + "]" * 64, "9223372036854775808", '"\\ud800"'],
)
def test_text_that_may_break_a_rule_is_walked(text):
    assert json_input.parse(text)[1] is False


def test_a_long_negative_integer_is_out_of_range_not_a_float():
    with pytest.raises(Invalid) as refused:
        json_input.loads("-9223372036854775809")
    assert refused.value.code == "number_out_of_range"
