"""SMS backends: the console line, the in-memory outbox, and Twilio Verify against a local fake."""

import base64
import json
import logging
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from accounts import sms
from accounts.models import PhoneVerification
from tests.helpers import db
from tests.realtime.hooligram.client import HooligramClient

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"country_code": "65", "phone_number": "94000001"}
SERVICE = "VA0123456789"
ACCOUNT, TOKEN = "AC_test", "secret-token"


class FakeTwilioVerify(ThreadingHTTPServer):
    """Twilio Verify's two calls as the real service answers them, on 127.0.0.1."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FakeTwilioHandler)
        self.pending: dict[str, str] = {}  # phone -> code it "texted"
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.refuse_with: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v2"


class FakeTwilioHandler(BaseHTTPRequestHandler):
    server: FakeTwilioVerify

    def log_message(self, format: str, *args: object) -> None:
        return None

    def _answer(self, status: int, body: dict) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.server.requests.append((self.path, form))
        expected = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
        elif self.server.refuse_with is not None:
            status = self.server.refuse_with
            self._answer(status, {"code": 60203, "message": "Max send attempts reached", "status": status})
        elif self.path == f"/v2/Services/{SERVICE}/Verifications":
            self.server.pending[form["To"]] = "424242"
            self._answer(201, {"sid": "VE1", "to": form["To"], "channel": form["Channel"], "status": "pending"})
        elif self.path == f"/v2/Services/{SERVICE}/VerificationCheck":
            code = self.server.pending.get(form["To"])
            if code is None:
                self._answer(404, {"code": 20404, "message": "Not found", "status": 404})
            elif code == form["Code"]:
                del self.server.pending[form["To"]]
                self._answer(200, {"sid": "VE1", "to": form["To"], "status": "approved", "valid": True})
            else:
                self._answer(200, {"sid": "VE1", "to": form["To"], "status": "pending", "valid": False})
        else:
            self._answer(404, {"code": 20404, "message": "Not found", "status": 404})


@pytest.fixture
def twilio(settings) -> Iterator[FakeTwilioVerify]:
    server = FakeTwilioVerify()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "accounts.sms.TwilioVerifyBackend"
    settings.TWILIO_VERIFY_URL = server.url
    settings.TWILIO_VERIFY_SERVICE_SID = SERVICE
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = ACCOUNT, TOKEN
    settings.SMS_HTTP_TIMEOUT = 5
    yield server
    server.shutdown()
    server.server_close()


def test_backend_is_chosen_by_setting(settings):
    settings.SMS_BACKEND = "accounts.sms.ConsoleSmsBackend"
    assert isinstance(sms.get_sms_backend(), sms.ConsoleSmsBackend)
    settings.SMS_BACKEND = "accounts.sms.InMemorySmsBackend"
    assert isinstance(sms.get_sms_backend(), sms.InMemorySmsBackend)


async def test_console_backend_logs_one_line_per_code(settings, caplog):
    settings.SMS_BACKEND = "accounts.sms.ConsoleSmsBackend"
    client = await HooligramClient().open()
    with caplog.at_level(logging.INFO, logger="accounts.sms"):
        answer = await client.act("VERIFICATION_REQUEST_CODE_REQUEST", PHONE, "r")
    assert answer["type"] == "VERIFICATION_REQUEST_CODE_SUCCESS"
    lines = [r.getMessage() for r in caplog.records if "VERIFICATION_CODE" in r.getMessage()]
    assert len(lines) == 1
    found = re.search(r"VERIFICATION_CODE country_code=65 phone_number=94000001 code=(\d{6})", lines[0])
    assert found
    signed_in = await client.act("AUTHORIZATION_SIGN_IN_REQUEST", {**PHONE, "verification_code": found.group(1)})
    assert signed_in["type"] == "AUTHORIZATION_SIGN_IN_SUCCESS"
    await client.close()


async def test_twilio_verify_request_submit_and_sign_in(twilio):
    client = await HooligramClient().open()
    assert (await client.act("VERIFICATION_REQUEST_CODE_REQUEST", PHONE))["type"] == "VERIFICATION_REQUEST_CODE_SUCCESS"
    assert twilio.requests[-1] == (f"/v2/Services/{SERVICE}/Verifications", {"To": "+6594000001", "Channel": "sms"})
    stored = await db(PhoneVerification.objects.get)(phone_number="94000001")
    assert stored.code_hash == ""  # Twilio made the code; only Twilio knows it yet

    wrong = await client.act("VERIFICATION_SUBMIT_CODE_REQUEST", {"verification_code": "111111"}, "w")
    assert wrong == {
        "id": "w",
        "payload": {"errors": ["incorrect verification code"]},
        "type": "VERIFICATION_SUBMIT_CODE_FAILURE",
    }
    right = await client.act("VERIFICATION_SUBMIT_CODE_REQUEST", {"verification_code": "424242"}, "s")
    assert right == {"id": "s", "payload": {}, "type": "VERIFICATION_SUBMIT_CODE_SUCCESS"}
    assert twilio.requests[-1] == (
        f"/v2/Services/{SERVICE}/VerificationCheck",
        {"To": "+6594000001", "Code": "424242"},
    )
    calls = len(twilio.requests)
    # Twilio forgets an approved verification; sign-in checks the code against its stored hash
    signed_in = await client.act("AUTHORIZATION_SIGN_IN_REQUEST", {**PHONE, "verification_code": "424242"})
    assert signed_in["type"] == "AUTHORIZATION_SIGN_IN_SUCCESS"
    assert len(twilio.requests) == calls
    await client.close()


async def test_twilio_refusal_is_a_failure_answer(twilio):
    twilio.refuse_with = 429
    client = await HooligramClient().open()
    answer = await client.act("VERIFICATION_REQUEST_CODE_REQUEST", PHONE, "r")
    assert answer == {
        "id": "r",
        "payload": {"errors": ["could not send verification code"]},
        "type": "VERIFICATION_REQUEST_CODE_FAILURE",
    }
    # the failed request leaves no code behind
    assert not await db(PhoneVerification.objects.exists)()
    twilio.refuse_with = None
    assert (await client.act("VERIFICATION_REQUEST_CODE_REQUEST", PHONE))["type"] == "VERIFICATION_REQUEST_CODE_SUCCESS"
    twilio.refuse_with = 500
    answer = await client.act("VERIFICATION_SUBMIT_CODE_REQUEST", {"verification_code": "424242"}, "s")
    assert answer["payload"] == {"errors": ["could not check verification code"]}
    assert (await db(PhoneVerification.objects.get)()).attempts == 0
    await client.close()


async def test_twilio_unreachable_is_a_failure_answer(twilio, settings):
    settings.TWILIO_VERIFY_URL = "http://127.0.0.1:9/v2"  # nothing listens on the discard port
    client = await HooligramClient().open()
    answer = await client.act("VERIFICATION_REQUEST_CODE_REQUEST", PHONE, "r")
    assert answer["payload"] == {"errors": ["could not send verification code"]}
    await client.close()


async def test_twilio_checked_codes_hold_the_attempts_limit(twilio, settings):
    settings.VERIFICATION_MAX_ATTEMPTS = 2
    client = await HooligramClient().open()
    assert (await client.act("VERIFICATION_REQUEST_CODE_REQUEST", PHONE))["type"] == "VERIFICATION_REQUEST_CODE_SUCCESS"
    for action_id in ("w1", "w2"):
        wrong = await client.act("VERIFICATION_SUBMIT_CODE_REQUEST", {"verification_code": "111111"}, action_id)
        assert wrong["payload"] == {"errors": ["incorrect verification code"]}
    calls = len(twilio.requests)
    # the attempts are used up: even the right code is refused, before Twilio is asked
    refused = await client.act("VERIFICATION_SUBMIT_CODE_REQUEST", {"verification_code": "424242"}, "s")
    assert refused == {
        "id": "s",
        "payload": {"errors": ["too many attempts, request a new code"]},
        "type": "VERIFICATION_SUBMIT_CODE_FAILURE",
    }
    assert len(twilio.requests) == calls
    assert (await db(PhoneVerification.objects.get)()).attempts == 2
    await client.close()
