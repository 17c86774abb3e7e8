"""Every event kind is rendered (or deliberately ignored) by every protocol adapter, but control
kinds, which the consumer acts on itself for every protocol."""

import pytest

from config.routing import websocket_urlpatterns
from events.kinds import EVENT_KINDS
from realtime.consumers import ChatConsumer

ADAPTERS = sorted({route.callback.consumer_class.adapter_class for route in websocket_urlpatterns}, key=str)
CONTROL_KINDS = {kind for kind, event in EVENT_KINDS.items() if event.control}


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.name)
def test_every_event_kind_has_a_renderer(adapter):
    assert adapter.unrendered_kinds() == set()
    assert set(adapter.renderers) == set(EVENT_KINDS) - CONTROL_KINDS
    for method in adapter.renderers.values():
        assert callable(getattr(adapter, method))


def test_every_control_kind_has_a_consumer_handler():
    assert CONTROL_KINDS  # sessions_ended at least
    assert set(ChatConsumer.control_handlers) == CONTROL_KINDS
    for method in ChatConsumer.control_handlers.values():
        assert callable(getattr(ChatConsumer, method))
