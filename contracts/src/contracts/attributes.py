"""Building a frozen dataclass from any object that carries its fields by name.

A stored row, an event's state and a service's reply often hold a domain object's fields under
the same names; the mapping then says only what differs (a converted enum, a nested value).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def from_attributes(cls: type[T], source: object, **values: object) -> T:
    """`cls` with each field from `values` when given, else from `source`'s attribute of the
    same name. The dataclass checks no types at run time: the caller vouches for them."""
    given: dict[str, Any] = {
        f.name: values[f.name] if f.name in values else getattr(source, f.name)
        for f in fields(cls)  # type: ignore[arg-type]
        if f.init
    }
    return cls(**given)
