"""Throttles for the unauthenticated entry points, keyed by client address."""

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class _ByAddress(SimpleRateThrottle):
    def get_cache_key(self, request: Request, view: object) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginThrottle(_ByAddress):
    """Password checks (`/users/login`, deleting an account) per address."""

    scope = "rest_login"


class RegisterThrottle(_ByAddress):
    """Registrations per address."""

    scope = "rest_register"
