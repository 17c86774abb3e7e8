"""A seeded mutator of JSON frames and bodies: from valid ones, hostile variants a client could send.

Values are swapped for hostile ones (NUL characters, unpaired surrogates, numbers out of range,
NaN and infinities, deep nesting, wrong types, long text), keys are dropped or added, and the
text itself is truncated, spliced or flipped. The same seed gives the same sequence."""

import json
import random
from typing import Any

HOSTILE_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**63,
    -(2**64),
    10**30,
    1.5,
    float("inf"),
    float("nan"),
    "",
    "a\x00b",
    "\ud800",
    "x\udfff",
    "\U0001f600",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "<script>alert(1)</script>",
    "x" * 10_000,
    [],
    {},
    [1, "2", None],
    {"gt": "yesterday", "lt": -5},
    {"$ne": None},
]


def _deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


class Mutator:
    """Hostile variants of valid JSON values, from a seeded random source."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def hostile_value(self) -> Any:
        if self.random.random() < 0.1:
            return _deep(self.random.choice([10, 65, 200]))  # deeper: `_damaged` wraps the text
        return self.random.choice(HOSTILE_VALUES)

    def mutate_value(self, value: Any) -> Any:
        """The value with one place in it replaced, dropped or added to."""
        paths = list(_paths(value))
        path = self.random.choice(paths)
        return _replaced(value, path, self._change)

    def _change(self, node: Any) -> Any:
        choice = self.random.random()
        if isinstance(node, dict) and node and choice < 0.25:
            node = dict(node)
            node.pop(self.random.choice(list(node)))
            return node
        if isinstance(node, dict) and choice < 0.4:
            return {**node, self.random.choice(["id", "x", "\x00", "__proto__", "type"]): self.hostile_value()}
        if isinstance(node, list) and choice < 0.4:
            return [*node, self.hostile_value()]
        return self.hostile_value()

    def text(self, value: Any) -> str:
        """A hostile text from a valid value: a mutated value, or its JSON text damaged."""
        choice = self.random.random()
        mutated = self.mutate_value(value) if choice < 0.8 else value
        text = json.dumps(mutated)  # NaN and infinities as NaN/Infinity, surrogates escaped
        if choice >= 0.8:
            return self._damaged(text)
        return text

    def _damaged(self, text: str) -> str:
        choice = self.random.random()
        cut = self.random.randrange(len(text) + 1)
        if choice < 0.3:
            return text[:cut]
        if choice < 0.5:
            return (
                text[:cut]
                + self.random.choice(["\\u0000", "\\ud800", "\\", '"', "}", "]", "\x00", "1e999"])
                + text[cut:]
            )
        if choice < 0.7:
            return "[" * 10_000 + text + "]" * 10_000
        if choice < 0.85:
            return text.replace("{", "[", 1)
        data = bytearray(text.encode("utf-8"))
        if data:
            data[self.random.randrange(len(data))] ^= 1 << self.random.randrange(7)
        return data.decode("utf-8", "replace")


def _paths(value: Any, path: tuple = ()) -> Any:
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*path, index))


def _replaced(value: Any, path: tuple, change: Any) -> Any:
    if not path:
        return change(value)
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replaced(value[head], rest, change)}
    copy = list(value)
    copy[head] = _replaced(copy[head], rest, change)
    return copy
