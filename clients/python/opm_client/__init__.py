"""Client of the Open Prompt Manager HTTP API (standard library only, Python >= 3.9)."""

from .client import Client
from .errors import (
    BadRequestError,
    ConnectionFailedError,
    ForbiddenError,
    MissingVariableError,
    NotFoundError,
    OpmError,
    PayloadTooLargeError,
    RateLimitedError,
    RunTimeoutError,
    ServerError,
    UnauthorizedError,
    error_from_response,
)

__all__ = [
    "BadRequestError",
    "Client",
    "ConnectionFailedError",
    "ForbiddenError",
    "MissingVariableError",
    "NotFoundError",
    "OpmError",
    "PayloadTooLargeError",
    "RateLimitedError",
    "RunTimeoutError",
    "ServerError",
    "UnauthorizedError",
    "error_from_response",
]
__version__ = "0.1.0"
