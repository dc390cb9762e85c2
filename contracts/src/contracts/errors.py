"""Typed errors that carry a code, a message and the field at fault.

Domain code raises these; the shared HTTP layer (`runtime.http`) maps each kind to its
4xx status in one place, and the gateway turns them into `UserError`s.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule was broken by the request; the user can fix it."""

    code: str = "INVALID"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, field={self.field!r}, {self.message!r})"


class InvalidInput(DomainError):
    """Malformed or out-of-range input (HTTP 400)."""

    code = "INVALID_INPUT"

    @classmethod
    def code_text(cls, value: object, *, field: str, must: str) -> str:
        """`value` as codes are compared: trimmed and upper-cased (`th` → `TH`). Anything
        but text is refused with this error class, saying what the field `must` be."""
        if not isinstance(value, str):
            raise cls(f"{field}: {must}", field=field)
        return value.strip().upper()


class NotAllowed(DomainError):
    """The caller may not do this (HTTP 403)."""

    code = "FORBIDDEN"


class NotFound(DomainError):
    """No such object, or none the caller may see (HTTP 404)."""

    code = "NOT_FOUND"


class Conflict(DomainError):
    """The object's state forbids it: illegal transition, clash, duplicate (HTTP 409)."""

    code = "CONFLICT"


class IllegalTransition(Conflict):
    code = "ILLEGAL_TRANSITION"
