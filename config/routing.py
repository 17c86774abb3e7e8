"""WebSocket paths: one per protocol."""

from django.urls import path

from protocols.hooligram.adapter import HooligramAdapter
from protocols.nkchat.adapter import NkchatAdapter
from protocols.rest.ws import RestWsAdapter
from protocols.sama.adapter import SamaAdapter
from realtime.consumers import consumer_for

websocket_urlpatterns = [
    path("", consumer_for(SamaAdapter).as_asgi()),
    path("v2", consumer_for(HooligramAdapter).as_asgi()),
    path("nkchat", consumer_for(NkchatAdapter).as_asgi()),
    path("ws", consumer_for(RestWsAdapter).as_asgi()),
]
