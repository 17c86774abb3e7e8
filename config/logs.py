"""Log lines an operator can follow: every line a request or a connection causes carries its id.

An HTTP request's id is the proxy's `X-Request-ID` when it sends a sane one, else a new one, and
goes back in the response's `X-Request-ID`; a WebSocket connection's id is the start of its
connection id. Both live in a context variable (`bind`), which every task and database thread the
request or connection starts inherits, and `LogContext` copies them onto each record: as fields of
their own in JSON (`LOG_FORMAT=json`, python-json-logger) and as `[request=… user=…]` in the plain
format. The access log (logger `access`) has one line per HTTP request and one per WebSocket
connection opened and closed."""

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse

from config.client_address import request_address
from config.errors import REDIS_UNREACHABLE

access_logger = logging.getLogger("access")

_context: ContextVar[dict[str, Any]] = ContextVar("log_context", default={})  # noqa: B039 (never mutated)

# What a proxy's request id may look like to be reused (nginx's $request_id is 32 hex digits).
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def bind(**fields: Any) -> None:
    """Add `fields` to every log line of the current request or connection from now on."""
    _context.set({**_context.get(), **fields})


def bound() -> dict[str, Any]:
    """The fields the current request or connection adds to its log lines."""
    return _context.get()


class LogContext(logging.Filter):
    """Copies the bound fields onto each record, and renders them for the plain format as
    `record.context` (" [request=… user=…]", or empty outside any request or connection)."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = _context.get()
        for name, value in fields.items():
            setattr(record, name, value)
        record.context = " [" + " ".join(f"{k}={v}" for k, v in fields.items()) + "]" if fields else ""
        return True


class RedisUnreachableInOneLine(logging.Filter):
    """A line logged with a Redis connection error (Redis restarting, unreachable) keeps the error's
    first line instead of its traceback, and the same line from the same logger is written at most
    once every REPEAT_SECONDS, with how many were left out since: while Redis is down,
    channels-redis's receiver and each hub log one every second or two, and an outage is no bug
    to trace."""

    REPEAT_SECONDS = 30.0
    LINES_MAX = 1000  # lines remembered; past that (lines naming users, say) it starts again

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._last: dict[tuple[str, str], tuple[float, int]] = {}  # (logger, line): (written at, left out)

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, REDIS_UNREACHABLE):
            return True
        line = record.getMessage()
        key, now = (record.name, line), time.monotonic()
        with self._lock:
            written_at, left_out = self._last.get(key, (-self.REPEAT_SECONDS, 0))
            if now - written_at < self.REPEAT_SECONDS:
                self._last[key] = (written_at, left_out + 1)
                return False
            if len(self._last) >= self.LINES_MAX:
                self._last.clear()
            self._last[key] = (now, 0)
        since = f" ({left_out} more in the last {now - written_at:.0f} s)" if left_out else ""
        record.msg, record.args = f"{line}: {type(error).__name__}: {first_line(error)}{since}", ()
        record.exc_info, record.exc_text = None, None
        return True


def request_ids(get_response: Callable[[HttpRequest], Any]) -> Callable[[HttpRequest], Any]:
    """Middleware (first in the list): binds the request's id, answers it in `X-Request-ID`, and
    writes the request's access line with its status and duration.

    The id stays bound after the middleware returns, for what Django logs after it (its 4xx/5xx
    line): under ASGI each request runs in a task of its own, whose context ends with it (and
    what a thread-run middleware binds is carried back to that task); a synchronous caller that
    serves many requests in one context (the test client) sees the next request's id replace it."""

    def begin(request: HttpRequest) -> tuple[str, float]:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        _context.set({"request": request_id})
        return request_id, time.monotonic()

    def end(request: HttpRequest, response: HttpResponse, request_id: str, started: float) -> HttpResponse:
        response["X-Request-ID"] = request_id
        access_logger.info(
            "%s %s %s %.0f ms",
            request.method,
            request.path,
            response.status_code,
            (time.monotonic() - started) * 1000,
            extra={"client": request_address(request), "status": response.status_code},
        )
        return response

    if iscoroutinefunction(get_response):

        async def async_middleware(request: HttpRequest) -> HttpResponse:
            request_id, started = begin(request)
            return end(request, await get_response(request), request_id, started)

        return markcoroutinefunction(async_middleware)

    def middleware(request: HttpRequest) -> HttpResponse:
        request_id, started = begin(request)
        return end(request, get_response(request), request_id, started)

    return middleware


request_ids.sync_capable = True  # type: ignore[attr-defined]
request_ids.async_capable = True  # type: ignore[attr-defined]


def logging_config(*, json: bool, level: str, access_level: str) -> dict[str, Any]:
    """The LOGGING setting: one handler on stderr, in JSON or plain lines, with the context filter.
    Django's own console handler (added when DEBUG is on) is removed, so no line is written twice."""
    formatter: dict[str, Any] = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        if json
        else {"format": "%(asctime)s %(levelname)s %(name)s%(context)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "context": {"()": "config.logs.LogContext"},
            "redis_unreachable": {"()": "config.logs.RedisUnreachableInOneLine"},
        },
        "formatters": {"line": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "line",
                "filters": ["context", "redis_unreachable"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": [], "level": "INFO", "propagate": True},
            "access": {"level": access_level},
            "django.channels.server": {"level": access_level},
        },
    }


def first_line(error: BaseException) -> str:
    """The first line of an error's message (PostgreSQL's add a DETAIL line), for one-line logs."""
    return str(error).partition("\n")[0]
