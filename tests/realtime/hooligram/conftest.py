import pytest

from accounts import sms


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """Codes go to the in-memory SMS backend; each test starts with an empty outbox."""
    settings.SMS_BACKEND = "accounts.sms.InMemorySmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()
