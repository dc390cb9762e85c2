"""`from_attributes`: a dataclass read off an object carrying its fields by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from contracts.attributes import from_attributes


@dataclass(frozen=True)
class Point:
    x: int
    y: int
    label: str = "origin"
    cached: int = field(default=0, init=False)


def test_each_field_comes_from_the_attribute_of_its_name() -> None:
    assert from_attributes(Point, SimpleNamespace(x=1, y=2, label="a", extra=9)) == Point(1, 2, "a")


def test_given_values_replace_the_source_and_fields_not_in_init_are_left_alone() -> None:
    source = SimpleNamespace(x=1, y=2, label="a", cached=7)
    built = from_attributes(Point, source, y=5)
    assert (built.x, built.y, built.label, built.cached) == (1, 5, "a", 0)


def test_a_field_neither_given_nor_on_the_source_is_an_error() -> None:
    with pytest.raises(AttributeError, match="label"):
        from_attributes(Point, SimpleNamespace(x=1, y=2))
