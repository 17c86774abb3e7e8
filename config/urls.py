"""HTTP routes."""

from django.contrib import admin
from django.urls import path

from config import health, metrics_view
from protocols.rest.urls import urlpatterns as chats_rest_urlpatterns
from protocols.sama import attachment_views
from protocols.sama import http as sama_http
from webclient import views as webclient_views

urlpatterns = [
    path("", webclient_views.index, name="web-client"),
    # The web client's own addresses (one conversation, one's profile): the same page, which reads them.
    path("c/<str:cid>", webclient_views.index, name="web-client-conversation"),
    path("profile", webclient_views.index, name="web-client-profile"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_view.metrics, name="metrics"),
    path("login", sama_http.login),
    path("logout", sama_http.logout),
    path("attachments/<str:token>", attachment_views.attachment, name="attachment"),
]
urlpatterns += chats_rest_urlpatterns
