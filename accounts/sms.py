"""SMS backends for phone verification codes, chosen by the SMS_BACKEND setting like Django's
e-mail backends: a console backend (local use), an in-memory one (tests) and Twilio Verify.

A backend either delivers a code the server made (`send_code(cc, pn, code)`), or, when
`checks_codes` is set, asks its provider to make, send and later check the code itself
(`send_code(cc, pn, None)`, then `check_code`)."""

import base64
import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The backend could not send (or check) a code."""


class BaseSmsBackend:
    """Delivers verification codes to phones."""

    checks_codes = False

    def send_code(self, country_code: str, phone_number: str, code: str | None) -> None:
        """Send `code` to the phone (None: the provider makes the code)."""
        raise NotImplementedError

    def check_code(self, country_code: str, phone_number: str, code: str) -> bool:
        """Whether the provider accepts the code (only for backends that `checks_codes`)."""
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Writes one log line per code instead of sending it: for local use."""

    def send_code(self, country_code: str, phone_number: str, code: str | None) -> None:
        """Log the code in the line PROTOCOLS.md gives."""
        logger.info("VERIFICATION_CODE country_code=%s phone_number=%s code=%s", country_code, phone_number, code)


@dataclass(frozen=True, slots=True)
class SentCode:
    country_code: str
    phone_number: str
    code: str


outbox: list[SentCode] = []


class InMemorySmsBackend(BaseSmsBackend):
    """Keeps every code in `accounts.sms.outbox`, like Django's locmem e-mail backend: for tests."""

    def send_code(self, country_code: str, phone_number: str, code: str | None) -> None:
        """Append the code to `outbox`."""
        outbox.append(SentCode(country_code, phone_number, code or ""))


def last_code(country_code: str, phone_number: str) -> str | None:
    """The newest code the in-memory backend holds for a phone, or None."""
    for sent in reversed(outbox):
        if (sent.country_code, sent.phone_number) == (country_code, phone_number):
            return sent.code
    return None


class TwilioVerifyBackend(BaseSmsBackend):
    """Twilio Verify: the provider makes, sends and checks the code.

    Settings: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or an API key sid and secret),
    TWILIO_VERIFY_SERVICE_SID, TWILIO_VERIFY_URL (the API root) and SMS_HTTP_TIMEOUT."""

    checks_codes = True

    def __init__(self) -> None:
        self.base_url = settings.TWILIO_VERIFY_URL.rstrip("/")
        self.service_sid = settings.TWILIO_VERIFY_SERVICE_SID
        credentials = f"{settings.TWILIO_ACCOUNT_SID}:{settings.TWILIO_AUTH_TOKEN}".encode()
        self.authorization = "Basic " + base64.b64encode(credentials).decode("ascii")
        self.timeout = settings.SMS_HTTP_TIMEOUT

    def send_code(self, country_code: str, phone_number: str, code: str | None) -> None:
        """Start a verification: Twilio texts its own code to the phone."""
        status, body = self._post("Verifications", {"To": f"+{country_code}{phone_number}", "Channel": "sms"})
        if status not in (200, 201):
            raise SmsError(f"Twilio Verify answered {status}: {body.get('message', '')}".strip())

    def check_code(self, country_code: str, phone_number: str, code: str) -> bool:
        """Ask Twilio whether the code is the one it sent; 404 means no pending verification."""
        status, body = self._post("VerificationCheck", {"To": f"+{country_code}{phone_number}", "Code": code})
        if status == 404:
            return False
        if status != 200:
            raise SmsError(f"Twilio Verify answered {status}: {body.get('message', '')}".strip())
        return body.get("status") == "approved"

    def _post(self, endpoint: str, fields: dict[str, str]) -> tuple[int, dict[str, Any]]:
        url = f"{self.base_url}/Services/{quote(self.service_sid, safe='')}/{endpoint}"
        request = Request(
            url,
            data=urlencode(fields).encode(),
            method="POST",
            headers={
                "Authorization": self.authorization,
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            with urlopen(request, timeout=self.timeout) as response:
                return response.status, _json(response.read())
        except HTTPError as error:
            return error.code, _json(error.read())
        except (URLError, OSError) as error:
            raise SmsError(f"Twilio Verify unreachable: {error}") from error


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def get_sms_backend() -> BaseSmsBackend:
    """An instance of the backend the SMS_BACKEND setting names."""
    return import_string(settings.SMS_BACKEND)()
