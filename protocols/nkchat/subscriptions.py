"""A connection's event subscriptions: patterns over (class, subclass, type, obj_id) with wildcards."""

from dataclasses import dataclass

WILDCARD = "*"


@dataclass(frozen=True, slots=True)
class Pattern:
    """Matches events whose fields equal the pattern's; a None field matches anything."""

    cls: str | None = None
    subclass: str | None = None
    type: str | None = None
    obj_id: str | None = None

    def _values(self) -> tuple[str | None, ...]:
        return (self.cls, self.subclass, self.type, self.obj_id)

    def matches(self, cls: str, subclass: str, type: str, obj_id: str) -> bool:
        """Whether an event with these fields is covered by this pattern."""
        event = (cls, subclass, type, obj_id)
        return all(mine is None or mine == theirs for mine, theirs in zip(self._values(), event, strict=True))

    def covers(self, other: "Pattern") -> bool:
        """Whether every event `other` matches is matched by this pattern as well."""
        return all(mine is None or mine == theirs for mine, theirs in zip(self._values(), other._values(), strict=True))


def pattern(cls: str | None, subclass: str | None, type: str | None, obj_id: str | None) -> Pattern:
    """A pattern where WILDCARD, like None, matches anything."""
    values = [None if value == WILDCARD else value for value in (cls, subclass, type, obj_id)]
    return Pattern(*values)


class Subscriptions:
    """The set of patterns one connection subscribed to."""

    def __init__(self) -> None:
        self._patterns: set[Pattern] = set()

    def __len__(self) -> int:
        return len(self._patterns)

    def add(self, new: Pattern) -> None:
        self._patterns.add(new)

    def remove(self, removed: Pattern) -> int:
        """Drop every subscription the pattern covers; answers how many were dropped."""
        gone = {p for p in self._patterns if removed.covers(p)}
        self._patterns -= gone
        return len(gone)

    def matches(self, cls: str, subclass: str, type: str, obj_id: str) -> bool:
        """Whether any subscription covers an event with these fields."""
        return any(p.matches(cls, subclass, type, obj_id) for p in self._patterns)
