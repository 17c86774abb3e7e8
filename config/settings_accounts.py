"""Settings of accounts: phone verification (Hooligram), the login and registration limits, and
password reset codes with the mail that carries them; read by config/settings.py."""

import phonenumbers
from marshmallow.validate import OneOf, Range

from config.env import env

# Hooligram / phone verification --------------------------------------------------------------
# Where codes go: accounts.sms.ConsoleSmsBackend (logs them), accounts.sms.InMemorySmsBackend
# (tests) or accounts.sms.TwilioVerifyBackend (production, needs the TWILIO_* variables).
SMS_BACKEND = env.str("SMS_BACKEND", "accounts.sms.ConsoleSmsBackend")
SMS_HTTP_TIMEOUT = env.float("SMS_HTTP_TIMEOUT", 10)
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", "")
TWILIO_VERIFY_SERVICE_SID = env.str("TWILIO_VERIFY_SERVICE_SID", "")
TWILIO_VERIFY_URL = env.str("TWILIO_VERIFY_URL", "https://verify.twilio.com/v2")
# Seconds a code may be submitted after it was sent.
VERIFICATION_CODE_TTL = env.int("VERIFICATION_CODE_TTL", 600)
VERIFICATION_CODE_LENGTH = env.int("VERIFICATION_CODE_LENGTH", 6)
# Wrong codes allowed per code (submit and sign-in together) before a new code is needed.
VERIFICATION_MAX_ATTEMPTS = env.int("VERIFICATION_MAX_ATTEMPTS", 5)
# At most VERIFICATION_RATE_LIMIT code requests per phone number in VERIFICATION_RATE_WINDOW seconds.
VERIFICATION_RATE_LIMIT = env.int("VERIFICATION_RATE_LIMIT", 5)
VERIFICATION_RATE_WINDOW = env.int("VERIFICATION_RATE_WINDOW", 3600)
# Seconds a verified code keeps signing in (Hooligram clients sign in again with it on reconnect).
VERIFICATION_SIGN_IN_TTL = env.int("VERIFICATION_SIGN_IN_TTL", 30 * 86400)
# Most unacknowledged messages sent again at one Hooligram sign-in (oldest first).
HOOLIGRAM_REDELIVERY_LIMIT = env.int("HOOLIGRAM_REDELIVERY_LIMIT", 1000)
# The region ("GB", "US") national phone numbers are read in when their writer's is not known;
# empty: such numbers are not read (they match no one). See accounts/phones.py.
PHONE_DEFAULT_REGION = env.str(
    "PHONE_DEFAULT_REGION",
    "",
    validate=OneOf(["", *sorted(phonenumbers.SUPPORTED_REGIONS)], error="Must be a region code such as GB or US."),
)
# --- end Hooligram / phone verification --------------------------------------------------------

# --- Login and registration limits (accounts/throttling.py), for every protocol and the admin ---
# "N/sec|min|hour|day" per client address and per account: failed logins (password, token or
# phone code), and registrations (Hooligram code requests included).
LOGIN_RATE = env.str("LOGIN_RATE", "20/min")
REGISTER_RATE = env.str("REGISTER_RATE", "10/min")
# Proxies in front of the server whose X-Forwarded-For entries are believed (0: the socket's address).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 0, validate=Range(min=0))
if TRUSTED_PROXY_COUNT:
    # The proxy says which scheme the client used; a request is HTTPS when it says so.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# --- end login and registration limits ---------------------------------------------------------

# --- Password reset by a one-time code (SAMA's user_send_otp / user_reset_password) -------------
# Seconds a code works; wrong tries a code takes before it is spent; code requests per client
# address and per e-mail ("N/sec|min|hour|day", accounts/throttling.py).
PASSWORD_RESET_CODE_TTL = env.int("PASSWORD_RESET_CODE_TTL", 900)
PASSWORD_RESET_MAX_ATTEMPTS = env.int("PASSWORD_RESET_MAX_ATTEMPTS", 5)
PASSWORD_RESET_RATE = env.str("PASSWORD_RESET_RATE", "5/hour")
# How the codes are mailed (Django's e-mail framework): the console backend prints them; set
# django.core.mail.backends.smtp.EmailBackend and the EMAIL_* variables to send them.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "webmaster@localhost")
# --- end password reset ------------------------------------------------------------------------
