"""The searchable columns of a work's register row, computed from its titles.

One function, used by every writer of `work` rows (a filing, the bulk import, the generated
register's loader), so no writer can forget a column the register's search relies on.
"""

from __future__ import annotations

from collections.abc import Sequence

from filing.domain.titles import search_document, title_key


def search_columns(title: str, alternate_titles: Sequence[str]) -> dict[str, str]:
    """The `work` row's search columns for a work with these titles."""
    return {
        "title_key": title_key(title),
        "search_text": search_document(title, alternate_titles),
    }
