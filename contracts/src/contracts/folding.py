"""Text folding for matching titles and names, shared by every service (a pure function).

Case, accents, punctuation and spacing are folded so that "Ánh Trăng, Lẻ Loi!" and
"anh trang le loi" match. Accents are stripped only from Latin letters: the vowel signs
and tone marks of Thai, Khmer, Lao and Burmese are combining marks too, and removing them
would make different words in those scripts collide, so non-Latin text is kept intact.
Filing folds the register's titles with it (examination, search) and licensing folds usage
lines' titles and writers with it, so both read a title the same way.
"""

from __future__ import annotations

import functools
import unicodedata

# Latin letters with a stroke or ligature that NFKD does not decompose into base + mark.
_LATIN_FOLDS = str.maketrans(
    {"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ħ": "h", "ı": "i", "ŧ": "t", "æ": "ae", "œ": "oe"}
)
# Apostrophes join a word ("don't" = "dont") rather than split it.
_JOINERS = {"'", "’", "‘", "ʼ", "`", "´"}


# Asked once per character of every title: the bulk import folds millions of them.
@functools.lru_cache(maxsize=65536)
def _is_latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


def _fold(title: str) -> list[str]:
    """The title as a list of folded characters, with a space wherever a separator was."""
    # Casefolding may produce characters that decompose further, so decompose on both sides.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", title).casefold())
    out: list[str] = []
    # Marks are kept only on letters of other scripts, where they are parts of the letter.
    keep_marks = False
    for char in decomposed:
        category = unicodedata.category(char)
        if category.startswith("M"):
            if keep_marks:
                out.append(char)
            continue
        if char in _JOINERS or category in {"Cf", "Cc"}:
            # Zero-width spaces and joiners (Thai, Khmer, Burmese word breaks) carry no meaning.
            continue
        if category.startswith(("P", "S", "Z")) or char.isspace():
            out.append(" ")
            keep_marks = False
            continue
        latin = _is_latin(char)
        keep_marks = not latin
        out.append(char.translate(_LATIN_FOLDS) if latin else char)
    return out


def search_text(title: str) -> str:
    """The title folded for searching: lower case, unaccented Latin, single spaces."""
    folded = unicodedata.normalize("NFC", "".join(_fold(title)))
    return " ".join(folded.split())


# A work's title is folded for its search columns and again by examination: fold it once.
@functools.lru_cache(maxsize=65536)
def title_key(title: str) -> str:
    """The title folded for duplicate detection: as `search_text`, with no spaces at all.

    Spacing is folded away entirely so "Rock-n-Roll", "Rock n Roll" and "Rockn Roll" match,
    and so Thai and Lao titles, written without spaces between words, match however a
    filer happened to break them.
    """
    if title.isascii():
        # What `_fold` keeps of ASCII is its letters and digits, lower-cased (everything
        # else is a separator, a joiner or a control character): the same key, 20x faster.
        return "".join(char for char in title.lower() if char.isalnum())
    return search_text(title).replace(" ", "")
