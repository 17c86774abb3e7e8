"""Settings, read from environment variables only; unset variables fall back to local defaults."""

import re
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from marshmallow.validate import OneOf, Range

from config.env import env, env_list
from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env.bool("DEBUG", True)
SECRET_KEY = env.str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
    # A random key of this checkout's own, made on first start (config/secret_key.py).
    from config.secret_key import local_secret_key

    SECRET_KEY = local_secret_key(Path(env.str("SECRET_KEY_FILE", str(BASE_DIR / ".secret_key"))))

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
# Origins (scheme://host) the admin's forms may be posted from besides the server's own host.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Served over HTTPS (directly or behind a TLS proxy: docs/deployment.md) ---------------------
# HTTPS=1 says clients reach the server only over HTTPS: cookies are sent over HTTPS only, plain
# HTTP requests are redirected (except the probes and metrics, which an orchestrator asks on the
# server's own port), and browsers are told to keep to HTTPS for SECURE_HSTS_SECONDS.
HTTPS = env.bool("HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0, validate=Range(min=0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", False)
# --- end HTTPS ---------------------------------------------------------------------------------

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "channels",
    "accounts",
    "chats",
    "messaging",
    "realtime",
    "webclient",
    "loadtest",
]

MIDDLEWARE = [
    "config.logs.request_ids",
    "corsheaders.middleware.CorsMiddleware",
    "config.middleware.refuse_unstorable_text",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# --- Web client: static files served by the app itself (whitenoise), also under daphne ---------
# Right after SecurityMiddleware, as whitenoise asks. USE_FINDERS serves the apps' static files
# without a collectstatic step, so `make serve` works as is; collected files in STATIC_ROOT too.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "whitenoise.middleware.WhiteNoiseMiddleware"
)
WHITENOISE_USE_FINDERS = True
# ... so a missing STATIC_ROOT (no collectstatic run) is expected, not worth a warning at start-up.
warnings.filterwarnings("ignore", message=f"No directory at: {re.escape(str(BASE_DIR / 'staticfiles'))}")
# --- end web client ----------------------------------------------------------------------------

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.dj_db_url(
        "DATABASE_URL",
        f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Each process talks to the database from one thread: keep its connection open.
        conn_max_age=env.int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# PostgreSQL through Django's backend, with timestamps read by psycopg's C loader (0.26 µs a value
# against 4.2: config/postgresql/base.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "config.postgresql"
# On SQLite a transaction that reads and then writes cannot wait for another writer: upgrading its
# read lock fails at once with "database is locked" (an upload's PUT, on an HTTP thread, against a
# send on a connection's database thread). Transactions take the write lock as they begin instead,
# and wait their turn for up to the connection's timeout.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"

# The hot paths' SQL (config/prepared_sql.py) runs as prepared statements on PostgreSQL: parsed
# and planned once per connection instead of once per message. Django turns psycopg's prepared
# statements off unless `prepare_threshold` is set; set DATABASE_PREPARED_STATEMENTS=0 behind a
# pooler in transaction mode that cannot keep them (PgBouncer before 1.21). Django's own queries
# bind their parameters on the client and are never prepared either way.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"].endswith("postgresql") and DATABASE_PREPARED_STATEMENTS:
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5

# PostgreSQL compiles a statement whose estimated cost passes `jit_above_cost` to machine code, at
# every execution: 6 ms for a sign-in's group list that runs in 0.2 ms, once planned on stale
# statistics (docs/performance.md). A chat server's statements are short: its connections run
# without JIT (added to any `options` DATABASE_URL gives).
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

# On PostgreSQL each process borrows its connections from a pool (Django's, psycopg_pool): an HTTP
# request for its duration, a database thread (realtime/db.py) for a few seconds of units of work
# (for each unit when DATABASE_POOL_MAX is not above DATABASE_THREADS). Under a storm
# requests wait up to DATABASE_POOL_TIMEOUT seconds for a free connection, then answer "try again"
# (config/errors.py: unexpected_error); the database never sees more than DATABASE_POOL_MAX
# connections per process. The pool checks no connection as it lends it (that would cost a round
# trip per unit of work): one that broke while idle fails one call and is discarded, and the pool's
# idle connections are then tested at once (realtime/db.py), so after a PostgreSQL restart the
# broken ones do not fail a call each for minutes. A database thread tests the connection it keeps
# every few seconds, and after any unit failed on the database (realtime/db.py).
# DATABASE_POOL_MAX=0 turns the pool off (behind PgBouncer): then DATABASE_CONN_MAX_AGE applies.
DATABASE_POOL_MIN = env.int("DATABASE_POOL_MIN", 2)
DATABASE_POOL_MAX = env.int("DATABASE_POOL_MAX", 20)
DATABASE_POOL_TIMEOUT = env.float("DATABASE_POOL_TIMEOUT", 10)
if DATABASES["default"]["ENGINE"].endswith("postgresql") and DATABASE_POOL_MAX > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(DATABASE_POOL_MIN, DATABASE_POOL_MAX),
        "max_size": DATABASE_POOL_MAX,
        "timeout": DATABASE_POOL_TIMEOUT,
    }

# Threads a process runs connections' database work on (realtime/db.py): a pool for PostgreSQL,
# so commits wait on the disk together; one for SQLite, which writes one transaction at a time.
DATABASE_THREADS = env.int(
    "DATABASE_THREADS", 1 if DATABASES["default"]["ENGINE"].endswith("sqlite3") else 8, validate=Range(min=1)
)

# Allocations between two collections of the garbage collector's young generation in a server
# process (config/server.py); Python's default is 700.
GC_GEN0_THRESHOLD = env.int("GC_GEN0_THRESHOLD", 50000)
# Young collections between two collections of the middle generation; Python's default is 10.
GC_GEN1_THRESHOLD = env.int("GC_GEN1_THRESHOLD", 1, validate=Range(min=1))
# Connections the kernel holds for a server process before it accepts them (capped by the
# kernel's net.core.somaxconn).
LISTEN_BACKLOG = env.int("LISTEN_BACKLOG", 1024)
# On SIGTERM a server process stops listening, closes its WebSockets with 1001 and waits at most
# this long for requests and frames under way to finish before it cancels them (config/shutdown.py).
SHUTDOWN_DRAIN_SECONDS = env.float("SHUTDOWN_DRAIN_SECONDS", 30, validate=Range(min=0))
# ... closing at most this many a second (0: all at once), in random order, and over at most half
# the drain, so that their clients reach the other processes at a pace those can take: one process
# of two took 500 Hooligram sign-ins a second within 200 ms at p99, and 1,000 within 2.2-2.6 s.
SHUTDOWN_CLOSE_RATE = env.float("SHUTDOWN_CLOSE_RATE", 500, validate=Range(min=0))
# When Redis lost the events of a process's connections (it restarted), the process closes them
# with 1012, in random order and at most this many a second (0: all at once), so that their
# clients do not all reconnect at once (realtime/hub.py): every process does, so each takes about
# as many reconnections a second as it closes. Two processes of 2,500 Hooligram clients on two
# cores: within 267 ms at p99 at 250 a second, 800-989 ms at 500, 3 s all at once.
RESYNC_CLOSE_RATE = env.float("RESYNC_CLOSE_RATE", 250, validate=Range(min=0))

REDIS_URL = env.str("REDIS_URL", "")
# Redis pub/sub channels are shared by all of a server's database numbers: the default prefix
# names the database, so deployments (or test runs) on different numbers never hear each other.
CHANNEL_LAYER_PREFIX = env.str(
    "CHANNEL_LAYER_PREFIX", "asgi" + (urlsplit(REDIS_URL).path.strip("/") or "0") if REDIS_URL else "asgi"
)
# Seconds a server process's hold on its users' presence lasts unrenewed (renewed every third):
# the users of a process that died without closing its connections go offline within about 4/3 of
# it (realtime/presence_lease.py).
PRESENCE_LEASE_SECONDS = env.int("PRESENCE_LEASE_SECONDS", 30)
# Every event passes through each process's hub channel (realtime/hub.py): it must never be full.
HUB_CHANNEL_CAPACITY = {"hub.*": 100_000}
CHANNEL_LAYER = env.str("CHANNEL_LAYER", "pubsub", validate=OneOf(["pubsub", "core"]))
# With Redis pub/sub, events go only to the processes serving their recipients (`address`,
# events/routes.py: an idle process reads nothing) or to every process (`broadcast`: one round
# trip to Redis per batch instead of two, a little cheaper with two or three processes).
EVENT_ROUTING = env.str("EVENT_ROUTING", "address", validate=OneOf(["address", "broadcast"]))
if REDIS_URL and CHANNEL_LAYER == "pubsub":
    # Redis pub/sub: one PUBLISH per event, pushed to every process's hub. Nothing is queued for
    # a process that is gone; clients catch up through history, as after any outage.
    CHANNEL_LAYERS: dict[str, Any] = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": CHANNEL_LAYER_PREFIX},
        }
    }
elif REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "capacity": env.int("CHANNEL_LAYER_CAPACITY", 1000),
                "channel_capacity": HUB_CHANNEL_CAPACITY,
                "expiry": 60,
                # Only hubs join groups, and they rejoin every minute (realtime/hub.py): a stopped
                # process's hub drops out after five.
                "group_expiry": 300,
                "prefix": CHANNEL_LAYER_PREFIX,
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            # Only hub channels receive messages here (this layer ignores `channel_capacity`).
            "CONFIG": {"capacity": 100_000},
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 4}},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = env.path("MEDIA_ROOT", BASE_DIR / "media")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# CORS for browser apps on other origins (SAMA web SDK): exact origins, with credentials.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_HEADERS = ["content-type", "authorization"]

REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": None,
}

SIMPLE_JWT: dict[str, Any] = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env.int("ACCESS_TOKEN_LIFETIME", 3600)),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=env.int("REFRESH_TOKEN_LIFETIME", 30 * 86400)),
    "SIGNING_KEY": SECRET_KEY,
    "UPDATE_LAST_LOGIN": False,
}

# Limits
MESSAGE_BODY_MAX_LENGTH = env.int("MESSAGE_BODY_MAX_LENGTH", 10000)
WEBSOCKET_FRAME_MAX_BYTES = env.int("WEBSOCKET_FRAME_MAX_BYTES", 256 * 1024)
# Larger WebSocket messages are not read whole: the server closes the connection with code 1009.
# Between the two limits a frame gets its protocol's error answer (the REST `/ws` ignores it).
WEBSOCKET_MESSAGE_MAX_BYTES = env.int("WEBSOCKET_MESSAGE_MAX_BYTES", 16 * WEBSOCKET_FRAME_MAX_BYTES)
# A WebSocket whose client leaves more than this unread (written by the server, not yet taken by
# the client's TCP stack) is dropped: the server would otherwise keep everything sent to it in
# memory (config/websocket_protocol.py). Above a Hooligram sign-in's backlog of 1,000 long messages.
WEBSOCKET_SEND_BUFFER_MAX_BYTES = env.int(
    "WEBSOCKET_SEND_BUFFER_MAX_BYTES", 16 * 1024 * 1024, validate=Range(min=WEBSOCKET_FRAME_MAX_BYTES)
)
# How long the server waits for a client to answer its close frame before it drops the connection
# (autobahn's default, 1 s); a shutdown's drain waits as long for a client that does not answer.
WEBSOCKET_CLOSE_TIMEOUT_SECONDS = env.float("WEBSOCKET_CLOSE_TIMEOUT_SECONDS", 1, validate=Range(min=0.1))
# While more of a WebSocket's messages than this wait to be handled, the server stops reading it
# (config/websocket_protocol.py), so a client cannot queue more than about this many frames in its memory.
WEBSOCKET_QUEUED_MESSAGES_MAX = env.int("WEBSOCKET_QUEUED_MESSAGES_MAX", 32, validate=Range(min=2))
# Clients' JSON (frames and HTTP bodies) nested deeper than this is refused (config/json_input.py).
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", 64)

LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
# One handler on stderr: plain lines, or one JSON object per line with LOG_FORMAT=json; each line
# a request or a connection causes carries its id (config/logs.py).
LOGGING = logging_config(
    json=env.str("LOG_FORMAT", "plain", validate=OneOf(["plain", "json"])) == "json",
    level=env.str("LOG_LEVEL", "INFO", validate=OneOf(LOG_LEVELS)),
    access_level=env.str("ACCESS_LOG_LEVEL", "INFO", validate=OneOf(LOG_LEVELS)),
)

# `/metrics` (config/metrics_view.py) answers only `Authorization: Bearer <METRICS_TOKEN>` when set;
# unset, it is open to whoever reaches the process. The push worker serves its own metrics on
# PUSH_WORKER_METRICS_PORT (0: not served) at PUSH_WORKER_METRICS_ADDRESS, without a token.
METRICS_TOKEN = env.str("METRICS_TOKEN", "")
PUSH_WORKER_METRICS_PORT = env.int("PUSH_WORKER_METRICS_PORT", 0, validate=Range(min=0, max=65535))
PUSH_WORKER_METRICS_ADDRESS = env.str("PUSH_WORKER_METRICS_ADDRESS", "127.0.0.1")

# --- SAMA extras: attachments and push notifications -------------------------------------------
# Where clients reach this server, for absolute file URLs (else taken from the request's Host).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", "")
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", 100 * 1024 * 1024)
ATTACHMENT_CONTENT_TYPES = env_list(
    "ATTACHMENT_CONTENT_TYPES",
    "image/*,video/*,audio/*,text/plain,application/pdf,application/zip,application/octet-stream,"
    "application/msword,application/vnd.openxmlformats-officedocument.*",
)
ATTACHMENT_UPLOAD_URL_TTL = env.int("ATTACHMENT_UPLOAD_URL_TTL", 3600)
ATTACHMENT_DOWNLOAD_URL_TTL = env.int("ATTACHMENT_DOWNLOAD_URL_TTL", 3600)
# An S3-compatible store (django-storages) replaces local files under MEDIA_ROOT when a bucket is
# named; credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY as boto3 reads them.
if env.str("AWS_STORAGE_BUCKET_NAME", ""):
    STORAGES = {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        **globals().get("STORAGES", {}),
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    }
    AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME")
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", "") or None
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", "") or None
    AWS_QUERYSTRING_EXPIRE = ATTACHMENT_DOWNLOAD_URL_TTL
    AWS_DEFAULT_ACL = None
# Push: one backend per platform (accounts.push.backends.*; memory.MemoryBackend for tests).
PUSH_BACKENDS = {
    "web": env.str("PUSH_BACKEND_WEB", "accounts.push.backends.webpush.WebPushBackend"),
    "android": env.str("PUSH_BACKEND_ANDROID", "accounts.push.backends.fcm.FCMBackend"),
    "ios": env.str("PUSH_BACKEND_IOS", "accounts.push.backends.apns.APNsBackend"),
}
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", "")  # a PEM file path or base64url DER
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", "")  # what web clients subscribe with
VAPID_SUBJECT = env.str("VAPID_SUBJECT", "mailto:admin@localhost")
FCM_CREDENTIALS_FILE = env.str("FCM_CREDENTIALS_FILE", "")
FCM_PROJECT_ID = env.str("FCM_PROJECT_ID", "")
APNS_KEY_FILE = env.str("APNS_KEY_FILE", "")
APNS_KEY_ID = env.str("APNS_KEY_ID", "")
APNS_TEAM_ID = env.str("APNS_TEAM_ID", "")
APNS_TOPIC = env.str("APNS_TOPIC", "")
APNS_SANDBOX = env.bool("APNS_SANDBOX", False)
PUSH_TTL = env.int("PUSH_TTL", 86400)
PUSH_HTTP_TIMEOUT = env.float("PUSH_HTTP_TIMEOUT", 10)
PUSH_MAX_ATTEMPTS = env.int("PUSH_MAX_ATTEMPTS", 5)
PUSH_RETRY_DELAY = env.float("PUSH_RETRY_DELAY", 30)
# --- end SAMA extras ---------------------------------------------------------------------------

# Chats REST -----------------------------------------------------------------------------------
# OpenAPI schema (drf-spectacular) at /api/schema/, Swagger UI at /api/docs/ served from this
# server's own static files (sidecar), REST limits.
INSTALLED_APPS += ["drf_spectacular", "drf_spectacular_sidecar"]
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "drf_spectacular.openapi.AutoSchema"
SPECTACULAR_SETTINGS = {
    "TITLE": "Chats REST API",
    "DESCRIPTION": 'Users, chats, messages and files. Errors answer `{"error": true, "reason": "..."}`. '
    "Notifications arrive on the WebSocket `/ws` (Bearer header or `?token=`) as `{event, source, payload}`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "APPEND_COMPONENTS": {"securitySchemes": {"basicAuth": {"type": "http", "scheme": "basic"}}},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "protocols.rest.schema.strip_trailing_slashes",
    ],
}
REST_TEXT_MAX_BYTES = env.int("REST_TEXT_MAX_BYTES", 2048)
REST_CHAT_USERS_PER_CALL = env.int("REST_CHAT_USERS_PER_CALL", 10)
REST_JSON_MAX_BYTES = env.int("REST_JSON_MAX_BYTES", 1024 * 1024)
REST_FILE_MAX_BYTES = env.int("REST_FILE_MAX_BYTES", 50 * 1024 * 1024)
REST_PREVIEW_MAX_BYTES = env.int("REST_PREVIEW_MAX_BYTES", 2 * 1024 * 1024)
# --- end Chats REST ----------------------------------------------------------------------------

# --- The cache, where the login and registration counters live (accounts/throttling.py) -------
CACHES: dict[str, Any] = {
    "default": (
        {
            "BACKEND": "config.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            # The login counters run on a connection of each thread's own (config/redis_cache.py);
            # Django's cache API shares one pool per process, waiting for a free connection.
            "OPTIONS": {"pool_class": "redis.BlockingConnectionPool", "max_connections": 50, "timeout": 10},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
    | {"KEY_PREFIX": CHANNEL_LAYER_PREFIX}
}
# --- end cache ---------------------------------------------------------------------------------

# --- Retention (manage.py purge) -----------------------------------------------------------------
# What `manage.py purge` (docs/retention.md) removes, run daily by cron or a systemd timer. Days of
# the operations log SAMA's op_log_list replays: keep it longer than REFRESH_TOKEN_LIFETIME, so a
# client back within its refresh token's life finds everything it missed.
OPLOG_RETENTION_DAYS = env.int("OPLOG_RETENTION_DAYS", 90, validate=Range(min=1))
# Days a finished push (sent, refused or given up) is kept, with its event.
PUSH_RETENTION_DAYS = env.int("PUSH_RETENTION_DAYS", 7, validate=Range(min=1))
# Days a device session lasts with no token issued for it (no sign-in, no renewal); never less than
# its tokens live (REFRESH_TOKEN_LIFETIME), so purging one signs out no one who could still come back.
DEVICE_SESSION_IDLE_DAYS = env.int("DEVICE_SESSION_IDLE_DAYS", 31, validate=Range(min=1))
# --- end retention -------------------------------------------------------------------------------

# Phone verification, login and registration limits, password reset: config/settings_accounts.py.
from config.settings_accounts import *  # noqa: E402, F403
