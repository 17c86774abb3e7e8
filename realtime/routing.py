"""WebSocket paths: one per protocol."""

from django.urls import path

from realtime.consumers import consumer_for
from realtime.protocols.sama import SamaAdapter

websocket_urlpatterns = [
    path("", consumer_for(SamaAdapter).as_asgi()),
]
