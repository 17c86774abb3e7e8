"""Retention of device sessions: a session no token can sign in with any more is removed (which
signs it out), one signed in to or renewed lately stays and keeps working."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts import retention
from accounts.models import DeviceSession
from tests.accounts.support import assert_token_refused
from tests.helpers import PASSWORD, db, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def sama_login(client: Client, user, device_id: str) -> str:
    """Sign in over SAMA's `POST /login` with the password; the client keeps the refresh cookie.
    Answers the access token."""
    body = {"login": user.username, "password": PASSWORD, "device_id": device_id}
    response = client.post("/login", data=body, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def sama_renew(client: Client, device_id: str) -> int:
    """Renew over SAMA's `POST /login` with the refresh cookie alone: the status it answers."""
    return client.post("/login", data={"device_id": device_id}, content_type="application/json").status_code


def idle_for(user, device_id: str, days: int) -> None:
    """Make the session look as if nothing signed in to it for `days` days."""
    DeviceSession.objects.filter(user=user, device_id=device_id).update(
        last_seen_at=timezone.now() - timedelta(days=days)
    )


def sessions_of(user) -> set[str]:
    return set(DeviceSession.objects.filter(user=user).values_list("device_id", flat=True))


def test_an_idle_session_goes_and_a_fresh_one_stays(settings):
    settings.DEVICE_SESSION_IDLE_DAYS = 31
    user = make_user()
    sama_login(Client(), user, "old-phone")
    sama_login(Client(), user, "laptop")
    idle_for(user, "old-phone", 32)
    idle_for(user, "laptop", 30)
    assert retention.device_sessions_purge(dry_run=True) == 1
    assert sessions_of(user) == {"old-phone", "laptop"}
    assert retention.device_sessions_purge() == 1
    assert sessions_of(user) == {"laptop"}
    assert retention.device_sessions_purge() == 0


def test_a_session_renewed_with_its_refresh_token_is_kept(settings):
    """SAMA's web app renews its tokens with the refresh cookie, never with the password again:
    each renewal counts as a sign-in, so a session in daily use is never idle."""
    settings.DEVICE_SESSION_IDLE_DAYS = 31
    user = make_user()
    browser = Client()
    sama_login(browser, user, "browser")
    idle_for(user, "browser", 40)
    assert sama_renew(browser, "browser") == 200
    assert retention.device_sessions_purge() == 0
    assert sessions_of(user) == {"browser"}


def test_sessions_are_kept_as_long_as_their_refresh_tokens_live_whatever_the_setting(settings):
    settings.DEVICE_SESSION_IDLE_DAYS = 1
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "REFRESH_TOKEN_LIFETIME": timedelta(days=10)}
    user = make_user()
    sama_login(Client(), user, "phone")
    sama_login(Client(), user, "tablet")
    idle_for(user, "phone", 9)
    idle_for(user, "tablet", 11)
    assert retention.device_sessions_purge() == 1
    assert sessions_of(user) == {"phone"}


async def test_a_purged_session_is_signed_out_and_an_active_one_still_signs_in(settings):
    settings.DEVICE_SESSION_IDLE_DAYS = 31
    user = await db(make_user)()
    gone, kept = Client(), Client()
    gone_token = await db(sama_login)(gone, user, "old-phone")
    kept_token = await db(sama_login)(kept, user, "phone")
    await db(idle_for)(user, "old-phone", 40)
    await db(idle_for)(user, "phone", 40)
    assert await db(sama_renew)(kept, "phone") == 200  # the active device renewed its tokens

    assert await db(retention.device_sessions_purge)() == 1
    assert await db(sama_renew)(gone, "old-phone") == 401  # its refresh cookie is refused
    await assert_token_refused(gone_token, "old-phone")  # and its access token, over SAMA and REST
    assert await db(sama_renew)(kept, "phone") == 200
    response = await db(lambda: Client().get("/users/me", headers={"authorization": f"Bearer {kept_token}"}))()
    assert response.status_code == 200, response.content
