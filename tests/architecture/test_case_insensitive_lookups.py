"""Logins and e-mails are compared with `lower_exact` (config/lookups.py), which their Lower()
indexes serve, never with Django's `iexact` (`UPPER(field) = UPPER(value)`), which reads every row."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "chats", "messaging", "events", "realtime", "protocols", "config")
IEXACT = re.compile(r"__iexact\b")


def _offences(source: str) -> list[int]:
    return [number for number, line in enumerate(source.splitlines(), 1) if IEXACT.search(line)]


def test_no_server_code_compares_with_iexact():
    offences = {
        str(path.relative_to(ROOT)): found
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts and (found := _offences(path.read_text()))
    }
    assert offences == {}


def test_the_check_sees_an_iexact_lookup():
    assert _offences('User.objects.filter(username__iexact=login)\nQ(email__lower_exact="a")\n') == [1]
