"""HTTP routes."""

from django.contrib import admin
from django.urls import path

from realtime.protocols import sama_http

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login", sama_http.login),
    path("logout", sama_http.logout),
]
