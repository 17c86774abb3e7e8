"""The protocol packages only translate: no ORM write, transaction or row lock is written there
(the house rule; services own them). Publishing is kept out by an import contract (pyproject.toml)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITES = {"save", "delete", "create", "bulk_create", "bulk_update", "update", "get_or_create", "update_or_create"}
LOCKS = {"atomic", "select_for_update", "on_commit"}


def _offences(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name, owner = node.func.attr, node.func.value
        on_manager = isinstance(owner, ast.Attribute) and owner.attr == "objects"
        if name in LOCKS or (name in WRITES and (on_manager or name in {"save", "bulk_create", "bulk_update"})):
            found.append(f"line {node.lineno}: .{name}(")
    return found


def test_the_protocol_packages_write_nothing_themselves():
    offences = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / "protocols").rglob("*.py"))
        if (found := _offences(path.read_text()))
    }
    assert offences == {}


def test_the_check_sees_each_kind_of_write():
    source = (
        "Message.objects.create(x=1)\nmessage.save()\nMessage.objects.filter(a=1)\n"
        "transaction.atomic()\nrows.select_for_update()\nMessage.objects.bulk_create([])\n"
    )
    assert _offences(source) == [
        "line 1: .create(",
        "line 2: .save(",
        "line 4: .atomic(",
        "line 5: .select_for_update(",
        "line 6: .bulk_create(",
    ]
