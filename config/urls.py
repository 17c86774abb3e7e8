"""HTTP routes."""

from django.contrib import admin
from django.urls import path

from chats.api.urls import urlpatterns as chats_rest_urlpatterns
from messaging import attachment_views
from realtime.protocols import sama_http
from webclient import views as webclient_views

urlpatterns = [
    path("", webclient_views.index, name="web-client"),
    path("admin/", admin.site.urls),
    path("login", sama_http.login),
    path("logout", sama_http.logout),
    path("attachments/<str:token>", attachment_views.attachment, name="attachment"),
]
urlpatterns += chats_rest_urlpatterns
