"""Title normalisation for duplicate detection and register search: the folding of
`contracts.folding` (case, Latin accents, punctuation and spacing), and a work's search text.
"""

from __future__ import annotations

from collections.abc import Iterable

# The folding itself is shared with licensing's usage matching (one rule, in contracts).
from contracts.folding import search_text, title_key

__all__ = ["SEARCH_SEPARATOR", "search_document", "search_text", "title_key"]

# Separator between a work's titles in its search text; folded queries never contain it.
SEARCH_SEPARATOR = "|"


def search_document(title: str, alternate_titles: Iterable[str]) -> str:
    """The searchable text of a work: the keys of its title and alternate titles.

    Searched with `title_key(query)` as a substring, so a query matches however its words
    were spaced, which matters for Thai, Lao, Khmer and Burmese, written without spaces.
    """
    return SEARCH_SEPARATOR.join(title_key(t) for t in (title, *alternate_titles))
