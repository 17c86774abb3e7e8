"""WebSocket paths: one per protocol."""

from django.urls import path

from realtime.consumers import consumer_for
from realtime.protocols.hooligram import HooligramAdapter
from realtime.protocols.nkchat import NkchatAdapter
from realtime.protocols.rest_ws import RestWsAdapter
from realtime.protocols.sama import SamaAdapter

websocket_urlpatterns = [
    path("", consumer_for(SamaAdapter).as_asgi()),
    path("v2", consumer_for(HooligramAdapter).as_asgi()),
    path("nkchat", consumer_for(NkchatAdapter).as_asgi()),
    path("ws", consumer_for(RestWsAdapter).as_asgi()),
]
