"""`/users`: register, log in with Basic auth, own profile, password, log out, look up, search, delete."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import device_sign_in, selectors, services, tokens
from accounts.models import DeviceSession
from config.client_address import request_address
from config.errors import NotFound
from protocols.rest import render, schema
from protocols.rest import serializers_in as i
from protocols.rest import serializers_out as o
from protocols.rest.auth import BASIC_HEADER, AuthenticatedRequest, basic_user
from protocols.rest.base import RestViewSet, empty_ok, to_pk

if TYPE_CHECKING:
    from rest_framework.permissions import _SupportsHasPermission

BASIC_ACTIONS = {"login", "me_delete"}
PUBLIC_ACTIONS = {"create", *BASIC_ACTIONS}


def _signed_in(session: DeviceSession) -> Response:
    access, _refresh, _expiry = tokens.tokens_issue(session)
    return Response(o.out(o.PrivateUserInfoSerializer, render.private_user_info(session.user, [session], access)))


class UserViewSet(RestViewSet):
    """Users and their own account."""

    def get_permissions(self) -> Sequence["_SupportsHasPermission"]:
        if self.action in PUBLIC_ACTIONS:
            return [AllowAny()]
        return super().get_permissions()

    def get_authenticate_header(self, request: Request) -> str:
        return BASIC_HEADER if self.action in BASIC_ACTIONS else super().get_authenticate_header(request)

    @extend_schema(
        summary="Register",
        request=i.RegisterSerializer,
        responses={**schema.answer(o.PrivateUserInfoSerializer, 429)},
        auth=schema.NO_AUTH,  # type: ignore[arg-type]  # security requirements, as for login
    )
    def create(self, request: Request) -> Response:
        """Register; the answer holds a device session with the access token for every other call."""
        data = self.data(i.RegisterSerializer)
        session = device_sign_in.user_register(
            username=data["username"],
            password=data["password"],
            name=data.get("name"),
            device_info=data.get("deviceInfo"),
            address=request_address(request),
        )
        return _signed_in(session)

    @extend_schema(
        summary="Log in with Basic auth",
        request=i.LoginSerializer,
        responses=schema.answer(o.PrivateUserInfoSerializer, 429),
        # drf-spectacular annotates `auth` as Sequence[str]; it takes (and emits) security requirements.
        auth=schema.BASIC_AUTH,  # type: ignore[arg-type]
    )
    @action(detail=False, methods=["post"])
    def login(self, request: Request) -> Response:
        """Log in with `Authorization: Basic` login and password; the answer holds a new access token."""
        user = basic_user(request)
        data = self.data(i.LoginSerializer)
        return _signed_in(device_sign_in.user_sign_in(user, device_info=data.get("deviceInfo")))

    @extend_schema(summary="Me", request=None, responses=schema.answer(o.PrivateUserInfoSerializer))
    @action(detail=False, methods=["get"], url_path="me")
    def me(self, request: AuthenticatedRequest) -> Response:
        """Your own account, with your device sessions."""
        sessions = list(request.user.device_sessions.order_by("pk"))
        return Response(o.out(o.PrivateUserInfoSerializer, render.private_user_info(request.user, sessions)))

    @extend_schema(
        summary="Update my name and about",
        request=i.UserUpdateSerializer,
        responses=schema.answer(o.UserInfoSerializer),
    )
    @me.mapping.put
    def me_update(self, request: AuthenticatedRequest) -> Response:
        """Change your name and about."""
        data = self.data(i.UserUpdateSerializer)
        user = device_sign_in.user_profile_update(request.user, name=data.get("name"), about=data.get("about"))
        return Response(o.out(o.UserInfoSerializer, render.user_info(user)))

    @extend_schema(
        summary="Delete my account (Basic auth)",
        request=None,
        responses=schema.ok(429),
        auth=schema.BASIC_AUTH,  # type: ignore[arg-type]  # security requirements, as for login
    )
    @me.mapping.delete
    def me_delete(self, request: Request) -> Response:
        """Delete your account; needs `Authorization: Basic` login and password."""
        services.user_delete(basic_user(request))
        return empty_ok()

    @extend_schema(summary="Log out this device", request=None, responses=schema.ok())
    @action(detail=False, methods=["post"], url_path="me/logout")
    def logout(self, request: AuthenticatedRequest) -> Response:
        """End this device's session: its token stops working."""
        services.device_session_close(request.auth)
        return empty_ok()

    @extend_schema(summary="Change my password", request=i.PasswordChangeSerializer, responses=schema.ok(403))
    @action(detail=False, methods=["put"], url_path="me/changePassword")
    def change_password(self, request: AuthenticatedRequest) -> Response:
        """Change your password; the old one is required."""
        data = self.data(i.PasswordChangeSerializer)
        services.user_update(
            request.user,
            current_password=data["oldPassword"],
            new_password=data["newPassword"],
            address=request_address(request),
        )
        return empty_ok()

    @extend_schema(
        summary="A user",
        request=None,
        parameters=[schema.path_id("id", "User id.")],
        responses=schema.answer(o.UserInfoSerializer, 404),
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        """A user by id."""
        found = selectors.users_by_ids([to_pk(pk, "User not found")])
        if not found:
            raise NotFound("User not found", code="user_not_found")
        return Response(o.out(o.UserInfoSerializer, render.user_info(found[0])))

    @extend_schema(
        summary="Search users",
        request=None,
        parameters=[i.UserSearchQuerySerializer],
        responses=schema.answer(o.UserInfoSerializer(many=True)),
    )
    def list(self, request: AuthenticatedRequest) -> Response:
        """Users whose login, name or email contains `s` (you excepted), at most 100."""
        keyword = self.query(i.UserSearchQuerySerializer).get("s", "")
        users = selectors.user_search(keyword=keyword, ignore_ids=[request.user.pk])
        return Response(o.out(o.UserInfoSerializer, [render.user_info(u) for u in users], many=True))
