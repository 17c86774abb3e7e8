"""Signing in with a stored code: one conditional write, and the attempts limit held by it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import PhoneVerification
from accounts.verification import phone_sign_in
from config.errors import Invalid, RateLimited
from tests.realtime.hooligram.client import phone_user

pytestmark = pytest.mark.django_db(transaction=True)  # as a connection signs in: no caller's transaction


@pytest.fixture(autouse=True)
def _codes_kept_in_memory(settings):
    settings.SMS_BACKEND = "accounts.sms.InMemorySmsBackend"


def _sign_in(code: str):
    return phone_sign_in(country_code="65", phone_number="91000001", code=code, address=None)


def _attempts() -> int:
    return PhoneVerification.objects.get(country_code="65", phone_number="91000001").attempts


def test_signing_in_again_with_a_verified_code_writes_nothing_and_takes_no_attempt():
    user, code = phone_user("65", "91000001")
    _sign_in(code)  # verifies the phone
    with CaptureQueriesContext(connection) as captured:
        assert _sign_in(code) == user
    writes = [q["sql"] for q in captured if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
    assert len(captured) == 1  # the user with the newest verification of the phone
    assert _attempts() == 0


def test_wrong_codes_use_the_attempts_up_and_then_the_right_code_is_refused_too(settings):
    settings.VERIFICATION_MAX_ATTEMPTS = 2
    _, code = phone_user("65", "91000001")
    wrong = "000000" if code != "000000" else "111111"
    for expected_attempts in (1, 2):
        with pytest.raises(Invalid) as refused:
            _sign_in(wrong)
        assert refused.value.code == "wrong_code" and _attempts() == expected_attempts
    with pytest.raises(RateLimited) as limited:
        _sign_in(code)
    assert limited.value.code == "too_many_attempts" and _attempts() == 2
