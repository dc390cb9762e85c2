"""Lets asgi-csrf check the CSRF field of a file upload (the usage file's multipart form).

asgi-csrf 0.11 (its latest) builds python-multipart's `FormParser` with a `FileClass`
argument that python-multipart removed (0.0.2x), so every multipart POST failed inside the
middleware. This adapter gives asgi-csrf the parser it expects and changes none of its
checks: the form's `csrftoken` field, which must come before any file, is still compared with
the signed cookie by asgi-csrf itself; a file part before the field still raises asgi-csrf's
own `FileBeforeToken` (at the end of that part, where the parser now reports files), which it
answers with its 403. Remove it when asgi-csrf passes python-multipart's present arguments."""

from __future__ import annotations

from typing import Any

import asgi_csrf
from python_multipart import FormParser


class _FormParser(FormParser):
    def __init__(self, content_type: str, on_field: Any, on_file: Any = None, *,
                 boundary: bytes | str | None = None, FileClass: Any = None,
                 **options: Any) -> None:
        def file_before_token(_file: Any) -> None:
            raise asgi_csrf.FileBeforeToken

        super().__init__(content_type, on_field, file_before_token, boundary=boundary,
                         **options)


def fit() -> None:
    """Idempotent: asgi-csrf's multipart check uses the adapter from now on."""
    asgi_csrf.FormParser = _FormParser
