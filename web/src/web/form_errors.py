"""A form's refused fields and the words for them, one way for every form (WEB.md, "Errors
on forms"): the API's `errors[]` placed at the form's controls, worded from the form's own
tables. Each form keeps its own tables because one code is worded for what the form asks:
`NOT_A_NUMBER` asks for a share on the filing form, for any number on the deal forms."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class FieldError:
    control: str | None  # the id of the control it is shown at; None: above the form
    code: str
    message: str = ""  # the API's own message (English)
    row: int | None = None  # a file's row (its first row, the columns, is 1); None: the form


@dataclass(frozen=True)
class Wording:
    """The catalogue message of an error, None when only the API's message says it: the
    form's words for its code, else, for a malformed value (`INVALID_*`), the words for the
    control it is shown at, named by the control id's last part (`holder-2-share`: `share`)."""

    by_code: Mapping[str, str]
    invalid_at: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, error: FieldError) -> str | None:
        if error.code in self.by_code:
            return self.by_code[error.code]
        if error.code.startswith("INVALID_") and error.control:
            return self.invalid_at.get(error.control.rsplit("-", 1)[-1])
        return None
