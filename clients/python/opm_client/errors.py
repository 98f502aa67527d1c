"""Typed exceptions that mirror the API's error codes and statuses."""

from typing import Any, Dict, Optional


class OpmError(Exception):
    """An error answer of the opm API.

    ``code`` is the API's stable code (``registry.slug_not_found``, ``prompty.missing_input``,
    ``api.forbidden`` ...), ``status`` the HTTP status and ``details`` the structured facts
    (``details["suggestions"]`` for an unknown slug, ``details["input"]`` for a missing variable).
    """

    def __init__(self, code: str, message: str, status: int = 0, details: Optional[Dict[str, Any]] = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details: Dict[str, Any] = details or {}

    def __str__(self) -> str:
        return "[{}] {}".format(self.code, self.message)


class BadRequestError(OpmError):
    """400: malformed JSON or a body that does not match the schema."""


class UnauthorizedError(OpmError):
    """401: no key, an unknown key or a revoked key."""


class ForbiddenError(OpmError):
    """403: the key's role may not do this."""


class NotFoundError(OpmError):
    """404: unknown slug (see ``details["suggestions"]``), run or route."""


class PayloadTooLargeError(OpmError):
    """413: the body is over the server's limit."""


class MissingVariableError(OpmError):
    """422: the prompt cannot be rendered with these variables (``details["input"]``)."""


class RateLimitedError(OpmError):
    """429: this key is over its rate limit; ``retry_after`` is in seconds when the server said."""

    retry_after: Optional[float] = None


class RunTimeoutError(OpmError):
    """504 or a stream timeout: the run did not finish in time; the job keeps running."""


class ServerError(OpmError):
    """Any other 5xx, including a run that failed in the model provider (``gateway.*``)."""


class ConnectionFailedError(OpmError):
    """The server could not be reached at all."""


_BY_STATUS = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    413: PayloadTooLargeError,
    422: MissingVariableError,
    429: RateLimitedError,
    504: RunTimeoutError,
}


def error_from_response(status: int, body: Any) -> OpmError:
    """The exception for an HTTP status and an ``{"error": {"code", "message", "details"}}`` body."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = error.get("code") if isinstance(error.get("code"), str) else "http.{}".format(status)
    message = error.get("message") if isinstance(error.get("message"), str) else "HTTP {}".format(status)
    details = error.get("details") if isinstance(error.get("details"), dict) else None
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else OpmError)
    return cls(code, message, status, details)
