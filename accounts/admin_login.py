"""The admin's login form, throttled like every other login (accounts/throttling.py)."""

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from accounts import throttling
from config.client_address import request_address
from config.errors import RateLimited


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """Django's admin login; a failed attempt counts against LOGIN_RATE, a throttled one is a form
    error."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        assert self.request is not None, "the admin's login view passes the request"
        try:
            with throttling.attempt(throttling.LOGIN, address=request_address(self.request), account=username):
                return super().clean()
        except RateLimited as error:
            raise ValidationError(error.message, code="rate_limited") from error
