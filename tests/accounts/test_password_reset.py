"""accounts.password_reset: codes mailed, used once, wrong tries, expiry, throttling."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from accounts import password_reset, services
from accounts.models import DeviceSession, PasswordResetCode, User
from config.errors import Forbidden, Invalid, RateLimited
from tests.helpers import PASSWORD, make_user

pytestmark = pytest.mark.django_db

WRONG = "Incorrect token for password recovery."


def send(email: str, address: str | None = None) -> None:
    password_reset.password_reset_code_send(email=email, address=address)
    password_reset.mails_wait(10)


def mailed_code(n: int = -1) -> str:
    found = re.search(r"\b(\d{6})\b", mail.outbox[n].body)
    assert found, mail.outbox[n].body
    return found.group(1)


def reset(email: str, token: object, new_password: object = "new-pass-1", address: str | None = None) -> User:
    return password_reset.password_reset_with_code(email=email, token=token, new_password=new_password, address=address)


def test_a_code_is_mailed_to_the_account_and_only_its_hash_is_kept():
    user = make_user("ann", email="Ann@Example.com")
    send("ann@EXAMPLE.com")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Ann@Example.com"]
    assert "ann" in mail.outbox[0].body
    code = mailed_code()
    assert code[0] != "0"
    stored = PasswordResetCode.objects.get(user=user)
    assert code not in stored.code_hash and stored.attempts == 0


def test_an_unknown_or_deactivated_email_gets_nothing_and_no_error():
    user = make_user("ann", email="ann@example.com")
    services.user_deactivate(user)
    send("ann@example.com")
    send("nobody@example.com")
    assert mail.outbox == [] and not PasswordResetCode.objects.exists()


def test_a_malformed_email_is_invalid():
    for email in ("not-an-email", "", None, 5, "a" * 250 + "@x.io"):
        with pytest.raises(Invalid):
            send(email)  # type: ignore[arg-type]


def test_the_code_resets_the_password_once_and_ends_every_session():
    user = make_user("ann", email="ann@example.com")
    services.device_session_open(user, device_id="phone")
    send("ann@example.com")
    code = mailed_code()
    assert reset("ANN@example.com", int(code)).pk == user.pk
    user.refresh_from_db()
    assert user.check_password("new-pass-1") and not user.check_password(PASSWORD)
    assert not DeviceSession.objects.filter(user=user).exists()
    with pytest.raises(Forbidden, match=WRONG):
        reset("ann@example.com", code, "other-pass-2")


def test_a_string_of_digits_is_a_code_too():
    make_user("ann", email="ann@example.com")
    send("ann@example.com")
    reset("ann@example.com", mailed_code())


def test_a_new_code_replaces_the_previous_one():
    make_user("ann", email="ann@example.com")
    send("ann@example.com")
    send("ann@example.com")
    first, second = mailed_code(0), mailed_code(1)
    assert PasswordResetCode.objects.count() == 1
    if first != second:
        with pytest.raises(Forbidden):
            reset("ann@example.com", first)
    reset("ann@example.com", second)


def test_wrong_codes_use_up_the_code(settings):
    settings.PASSWORD_RESET_MAX_ATTEMPTS = 3
    make_user("ann", email="ann@example.com")
    send("ann@example.com")
    code = mailed_code()
    wrong = "100000" if code != "100000" else "100001"
    for token in (wrong, "abc", True):
        with pytest.raises(Forbidden, match=WRONG):
            reset("ann@example.com", token)
    assert not PasswordResetCode.objects.exists()
    with pytest.raises(Forbidden, match=WRONG):
        reset("ann@example.com", code)


def test_an_expired_code_is_refused_and_cleared_by_the_next_request():
    user = make_user("ann", email="ann@example.com")
    make_user("bob", email="bob@example.com")
    send("ann@example.com")
    PasswordResetCode.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(Forbidden, match=WRONG):
        reset("ann@example.com", mailed_code())
    send("bob@example.com")
    assert not PasswordResetCode.objects.filter(user=user).exists()


def test_a_refused_password_leaves_the_code_usable():
    make_user("ann", email="ann@example.com")
    send("ann@example.com")
    with pytest.raises(Invalid, match="too short"):
        reset("ann@example.com", mailed_code(), "abc")
    with pytest.raises(Invalid):
        reset("ann@example.com", mailed_code(), None)
    reset("ann@example.com", mailed_code(), "long-enough")


def test_an_unknown_email_is_a_wrong_code():
    with pytest.raises(Forbidden, match=WRONG):
        reset("nobody@example.com", 123456)


def test_accounts_sharing_an_email_each_get_their_own_code():
    ann, ann2 = make_user("ann", email="ann@example.com"), make_user("ann2", email="ANN@example.com")
    send("ann@example.com")
    by_login = {re.search(r"account (\S+) is", m.body).group(1): mailed_code(n) for n, m in enumerate(mail.outbox)}
    assert set(by_login) == {"ann", "ann2"}
    assert reset("ann@example.com", by_login["ann2"]).pk == ann2.pk
    assert reset("ann@example.com", by_login["ann"]).pk == ann.pk


def test_requests_are_throttled_per_email_and_per_address(settings):
    settings.PASSWORD_RESET_RATE = "2/hour"
    make_user("ann", email="ann@example.com")
    send("ann@example.com", "1.2.3.4")
    send("ann@example.com", "5.6.7.8")
    with pytest.raises(RateLimited, match="Too many password reset requests"):
        send("Ann@example.com", "9.9.9.9")
    send("nobody@example.com", "1.2.3.4")
    with pytest.raises(RateLimited):
        send("other@example.com", "1.2.3.4")
    assert len(mail.outbox) == 2


def test_wrong_codes_are_throttled_like_logins(settings):
    settings.LOGIN_RATE = "2/hour"
    make_user("ann", email="ann@example.com")
    send("ann@example.com")
    code = mailed_code()
    wrong = "100000" if code != "100000" else "100001"
    for _ in range(2):
        with pytest.raises(Forbidden):
            reset("ann@example.com", wrong, address="1.2.3.4")
    with pytest.raises(RateLimited, match="Too many login attempts"):
        reset("ann@example.com", code, address="5.6.7.8")


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("no mail server")


class SlowBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        time.sleep(0.5)
        return len(email_messages)


def test_a_mail_that_fails_is_logged_not_answered(settings, caplog):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    make_user("ann", email="ann@example.com")
    send("ann@example.com")
    assert "could not be mailed" in caplog.text


def test_the_request_does_not_wait_for_the_mail_server(settings):
    """A known e-mail answers as fast as an unknown one: the mail leaves in the background."""
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    make_user("ann", email="ann@example.com")
    started = time.monotonic()
    password_reset.password_reset_code_send(email="ann@example.com", address=None)
    assert time.monotonic() - started < 0.4
    password_reset.mails_wait(10)
