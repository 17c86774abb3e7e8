"""The one family of domain errors that services raise and every protocol adapter renders."""

import redis.exceptions
from django.core.exceptions import RequestDataTooBig
from django.db import DataError, OperationalError
from psycopg_pool import PoolTimeout


class ServiceError(Exception):
    """A request the service layer refuses; `status` is the HTTP-like code, `code` a stable name,
    `field` the domain's name of the input it refuses where the message begins with it (a protocol
    that calls the input otherwise renames it: `renamed`)."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def renamed(self, wire_names: dict[str, str]) -> str:
        """The message with its field called by the protocol's name for it (`wire_names`)."""
        wire = wire_names.get(self.field or "")
        if wire is None or not self.message.startswith(f"{self.field} "):
            return self.message
        return wire + self.message[len(self.field or "") :]


class NotAuthenticated(ServiceError):
    status = 401
    code = "not_authenticated"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class TooLarge(ServiceError):
    status = 413
    code = "too_large"


class Invalid(ServiceError):
    status = 422
    code = "invalid"


class RateLimited(ServiceError):
    """Too many attempts; `retry_after` is the seconds until the next one may succeed, if known."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, code: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class NotSupported(ServiceError):
    """A request the protocol knows that this server does not offer."""

    status = 501
    code = "not_supported"


class Unavailable(ServiceError):
    """The server cannot take the request now (no database connection free in time): try again."""

    status = 503
    code = "unavailable"


class InternalError(ServiceError):
    status = 500
    code = "internal"


# Redis, or the database, could not be reached in time: "try again", not a bug.
REDIS_UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
UNREACHABLE = (OperationalError, PoolTimeout, *REDIS_UNREACHABLE)


def unexpected_error(error: Exception) -> ServiceError:
    """The domain error a protocol answers for an exception no service raised on purpose.

    A database that refuses a value answers as invalid input, a database or Redis that cannot be
    reached in time (the connection pool's timeout included) as "try again"; anything else is a bug, logged
    with its traceback by the caller, and answered as an internal error."""
    if isinstance(error, ServiceError):
        return error
    if isinstance(error, RequestDataTooBig):
        return TooLarge("Request body is too large")
    if isinstance(error, DataError):
        return Invalid("Input cannot be stored", code="unstorable")
    if isinstance(error, UNREACHABLE):
        return Unavailable("The server is busy; try again")
    return InternalError("Internal error")


def is_bug(error: Exception) -> bool:
    """Whether `unexpected_error` answers this exception as an internal error (worth a traceback)."""
    return isinstance(unexpected_error(error), InternalError)
