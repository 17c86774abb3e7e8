"""A phone changed on the admin's user form is what contacts find the user by from then on."""

import pytest

from accounts.models import User
from tests.helpers import make_user

pytestmark = pytest.mark.django_db


def _change_form(user: User, **changes: str) -> dict:
    """The user change form as submitted, unchanged but for `changes`."""
    return {
        "username": user.username,
        "email": user.email,
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "phone": user.phone,
        "country_code": user.country_code,
        "phone_number": user.phone_number,
        "is_active": "on",
        **changes,
    }


def test_the_change_form_keeps_the_e164_form_in_step(admin_client):
    user = make_user(phone="+44 7700 900123")
    url = f"/admin/accounts/user/{user.pk}/change/"
    assert admin_client.get(url).status_code == 200  # the form shows the stored form, read only
    response = admin_client.post(url, _change_form(user, phone="+65 8123 4567"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert (user.phone, user.phone_e164) == ("+65 8123 4567", "+6581234567")
    admin_client.post(url, _change_form(user, country_code="65", phone_number="91234567"))
    user.refresh_from_db()
    assert (user.sid, user.phone_e164) == ("65.91234567", "+6591234567")  # the verified phone first
