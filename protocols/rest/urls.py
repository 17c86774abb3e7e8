"""Chats REST routes (a trailing slash is optional everywhere), the OpenAPI schema and its docs."""

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DynamicRoute, Route, SimpleRouter

from protocols.rest.chats import ChatViewSet
from protocols.rest.files import FileView
from protocols.rest.messages import ChatMessageViewSet
from protocols.rest.users import UserViewSet


class RestRouter(SimpleRouter):
    """SimpleRouter with PUT for update, DELETE on a collection (`clear`), and optional slashes."""

    routes = [
        Route(
            url=r"^{prefix}{trailing_slash}$",
            mapping={"get": "list", "post": "create", "delete": "clear"},
            name="{basename}-list",
            detail=False,
            initkwargs={"suffix": "List"},
        ),
        DynamicRoute(
            url=r"^{prefix}/{url_path}{trailing_slash}$", name="{basename}-{url_name}", detail=False, initkwargs={}
        ),
        Route(
            url=r"^{prefix}/{lookup}{trailing_slash}$",
            mapping={"get": "retrieve", "put": "update", "delete": "destroy"},
            name="{basename}-detail",
            detail=True,
            initkwargs={"suffix": "Instance"},
        ),
        DynamicRoute(
            url=r"^{prefix}/{lookup}/{url_path}{trailing_slash}$",
            name="{basename}-{url_name}",
            detail=True,
            initkwargs={},
        ),
    ]

    def __init__(self) -> None:
        super().__init__(trailing_slash=False)
        self.trailing_slash = "/?"


@csrf_exempt
def not_found(request: HttpRequest, **kwargs: str) -> JsonResponse:
    """Any other path under the REST prefixes: the REST 404, not Django's HTML page."""
    return JsonResponse({"error": True, "reason": "Not found"}, status=404)


router = RestRouter()
router.register("users", UserViewSet, basename="rest-users")
router.register("chats", ChatViewSet, basename="rest-chats")
router.register(r"chats/(?P<chat_pk>[^/.]+)/messages", ChatMessageViewSet, basename="rest-chat-messages")

urlpatterns = [
    *router.urls,
    re_path(r"^files/(?P<name>[^/]+)\.(?P<file_type>[^/.]+)$", FileView.as_view(), name="rest-file"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^(?:users|chats|files)(?:/.*)?$", not_found),
]
