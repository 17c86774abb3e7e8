"""Every event kind is rendered (or deliberately ignored) by every protocol adapter."""

import pytest

from realtime.events import EVENT_KINDS
from realtime.routing import websocket_urlpatterns

ADAPTERS = sorted({route.callback.consumer_class.adapter_class for route in websocket_urlpatterns}, key=str)


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.name)
def test_every_event_kind_has_a_renderer(adapter):
    assert adapter.unrendered_kinds() == set()
    assert set(adapter.renderers) == set(EVENT_KINDS)
    for method in adapter.renderers.values():
        assert callable(getattr(adapter, method))
