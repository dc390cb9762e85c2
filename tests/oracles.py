"""Verdicts of the outside references the tests check identifiers against (one copy each):
django-music-publisher's CWR field validators here; python-stdnum is called directly."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from music_publisher.validators import CWRFieldValidator


def music_publisher_accepts(field: str, text: str) -> bool:
    """Whether django-music-publisher's validator of a CWR `field` (`iswc`, `ipi_name`, ...)
    takes `text`."""
    try:
        CWRFieldValidator(field)(text)
    except DjangoValidationError:
        return False
    return True
