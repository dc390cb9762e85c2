"""Glue that turns the package's parse functions into pydantic `Annotated` field types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from contracts.errors import DomainError

T = TypeVar("T")


def as_validator(parse: Callable[[Any], T]) -> Callable[[Any], T]:
    """Wrap `parse` so pydantic reports its message (pydantic only collects ValueErrors)."""

    def validate(value: Any) -> T:
        try:
            return parse(value)
        except DomainError as exc:
            raise ValueError(exc.message) from None

    validate.__name__ = f"validate_{getattr(parse, '__name__', 'value')}"
    return validate
