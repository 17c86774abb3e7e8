"""docs/protocols/sama.md keeps up with the code: every request the SAMA adapter dispatches has a
section of its own, and every frame SAMA renders for an event, and every HTTP route of SAMA's, is
named on the page."""

import json
import re
from pathlib import Path

import pytest

from config.urls import urlpatterns
from events.kinds import SystemNotice
from protocols.sama.adapter import SamaAdapter
from tests.realtime.test_event_rendering import FakeConnection, _events  # an event of every kind

PAGE = Path(__file__).resolve().parents[2] / "docs" / "protocols" / "sama.md"
# Frames a client sends beside requests, each handled by the adapter's `on_<name>`.
CLIENT_FRAMES = ("message", "system_message", "typing")


def _text() -> str:
    """The page without its fenced code blocks (examples are not where a name is documented)."""
    return re.sub(r"^```.*?^```", "", PAGE.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)


def _code_spans(text: str) -> set[str]:
    return set(re.findall(r"`([^`\n]+)`", text))


def _heading_code_spans(text: str) -> set[str]:
    return {span for heading in re.findall(r"^#{1,6} (.+)$", text, flags=re.MULTILINE) for span in _code_spans(heading)}


def test_every_request_and_client_frame_has_a_heading():
    assert all(hasattr(SamaAdapter, f"on_{name}") for name in CLIENT_FRAMES)
    documented = _heading_code_spans(_text())
    missing = sorted(set(SamaAdapter.REQUESTS) - documented) + [n for n in CLIENT_FRAMES if n not in documented]
    assert not missing, f"no heading names these SAMA requests or frames in {PAGE.name}: {missing}"


def test_every_sama_http_route_is_named():
    text = _text()
    routes = [
        "/" + str(p.pattern).split("<")[0]
        for p in urlpatterns
        if getattr(p, "callback", None) and p.callback.__module__.startswith("protocols.sama.")
    ]
    assert routes, "SAMA's HTTP routes were not found in config.urls"
    missing = [route for route in routes if route not in text]
    assert not missing, f"{PAGE.name} does not name these SAMA HTTP routes: {missing}"


@pytest.mark.django_db
def test_every_frame_an_event_becomes_is_named():
    """Renders an event of every kind for every user involved, as a connection other than the one
    that caused it: each frame's key, and each key of a conversation notice's `x`, is a code span
    on the page."""
    events, users = _events()
    rendered = set()
    for event in events.values():
        for user in users:
            for frame in SamaAdapter(FakeConnection(user)).render_event(event, is_origin=False):
                frame = frame if isinstance(frame, dict) else json.loads(frame)  # a shared frame's text
                rendered |= set(frame)
                if event.kind != SystemNotice.kind and "system_message" in frame:  # a custom one's x is the client's
                    rendered |= set(frame["system_message"]["x"])
    assert {"message", "system_message", "conversation_kicked"} <= rendered  # the events did render
    missing = sorted(rendered - _code_spans(_text()))
    assert not missing, f"{PAGE.name} does not name these SAMA event frames: {missing}"
