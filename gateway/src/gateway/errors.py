"""The gateway's error kinds: what a user can fix, what needs a token, and internal failures."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from opentelemetry import trace

log = logging.getLogger("gateway")


class UserError(Exception):
    """Something the caller can fix; answered in the payload's `errors`, never as a crash."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}


class NotFoundError(UserError):
    def __init__(self, message: str = "no such object", field: str | None = None):
        super().__init__("NOT_FOUND", message, field)


class BackendFailure(Exception):
    """A service answered 5xx or could not be reached: an internal failure, masked."""


def current_trace_id() -> str:
    """The OpenTelemetry trace id of the current request, or a fresh id to correlate logs."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        return format(context.trace_id, "032x")
    return uuid.uuid4().hex
