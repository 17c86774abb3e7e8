"""The admin's login form counts failed logins like every protocol; once used up it shows the
error on the form (never a 500), even for the right password."""

import pytest

from accounts.models import User
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username: str, password: str, **extra: str):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password}, **extra)


def test_failed_admin_logins_then_the_form_says_too_many(client, settings):
    settings.LOGIN_RATE = "2/hour"
    User.objects.create_superuser("boss", password=PASSWORD)
    for _ in range(2):
        response = _login(client, "boss", "wrong")
        assert response.status_code == 200 and b"Please enter the correct username" in response.content
    response = _login(client, "boss", PASSWORD)
    assert response.status_code == 200
    assert b"Too many login attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_a_successful_admin_login_does_not_count(client, settings):
    settings.LOGIN_RATE = "1/hour"
    User.objects.create_superuser("boss", password=PASSWORD)
    for _ in range(2):
        assert _login(client, "boss", PASSWORD).status_code == 302
        client.logout()
