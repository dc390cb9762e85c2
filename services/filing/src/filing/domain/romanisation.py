"""Latin spellings of words in the region's scripts, for romanised search (docs/design/
DOMAIN.md, "Register search": romanised terms).

ICU romanises Thai, Burmese, Vietnamese, Chinese, Tamil and the rest, but has no Lao-Latin
and no Khmer-Latin. The Lao block of Unicode was laid out letter for letter beside the Thai
one (U+0E81 ກ beside U+0E01 ก), so a Lao word is moved onto the Thai letters its own are
written like and romanised as ICU romanises Thai: a Lao and a Thai title sharing a word
share its romanisation, as their readers expect. Khmer is spelt by the UNGEGN romanisation
of its letters (`_khmer`). Every result is folded to ASCII (`Latin-ASCII`).

Not thread-safe (ICU transliterators): filing runs one event loop per process.
"""

from __future__ import annotations

import re

from icu import Transliterator

_ANY = Transliterator.createInstance("Any-Latin; Latin-ASCII")

_LAO = re.compile("[\u0e80-\u0eff]")
_KHMER = re.compile("[\u1780-\u17ff\u19e0-\u19ff]")

# Lao letters the Thai block has no place for, spelt with Thai letters of the same sound.
_LAO_SPECIAL = str.maketrans({
    "\u0ebc": "\u0e25",  # ◌ຼ subscript lo: the l of a cluster (ຫຼວງ, hl-)
    "\u0ebd": "\u0e22",  # ◌ຽ semivowel nyo: y (ວຽງ)
    "\u0edc": "\u0e2b\u0e19",  # ໜ: hn
    "\u0edd": "\u0e2b\u0e21",  # ໝ: hm
})  # fmt: skip
# MAI KON (◌ົ, a short o written above) has no Thai twin; Thai writes that o before its
# consonant (โ), so the consonant and its cluster letter are moved behind one.
_LAO_MAI_KON = re.compile("([\u0e81-\u0eae][\u0ebc]?)([\u0ec8-\u0ecb]?)\u0ebb")


def _lao_as_thai(word: str) -> str:
    word = _LAO_MAI_KON.sub("\u0ec2\\1\\2", word).translate(_LAO_SPECIAL)
    return "".join(
        chr(ord(c) - 0x80) if "\u0e80" <= c <= "\u0eff" else c for c in word
    )


def latin(word: str) -> str:
    """`word` (one word, folded) spelt in ASCII Latin letters (a Latin word loses only its
    diacritics: "tình" is "tinh")."""
    if _KHMER.search(word):
        return _khmer(word)
    if _LAO.search(word):
        word = _lao_as_thai(word)
    return _ANY.transliterate(word)


# --- Khmer (UNGEGN, 1972): each consonant belongs to the first (a) or second (o) series,
# which decides how its vowel sounds and is spelt.
_FIRST, _SECOND = 0, 1
_CONSONANTS: dict[str, tuple[str, int]] = {
    "ក": ("k", _FIRST), "ខ": ("kh", _FIRST), "គ": ("k", _SECOND), "ឃ": ("kh", _SECOND),
    "ង": ("ng", _SECOND), "ច": ("ch", _FIRST), "ឆ": ("chh", _FIRST), "ជ": ("ch", _SECOND),
    "ឈ": ("chh", _SECOND), "ញ": ("nh", _SECOND), "ដ": ("d", _FIRST), "ឋ": ("th", _FIRST),
    "ឌ": ("d", _SECOND), "ឍ": ("th", _SECOND), "ណ": ("n", _FIRST), "ត": ("t", _FIRST),
    "ថ": ("th", _FIRST), "ទ": ("t", _SECOND), "ធ": ("th", _SECOND), "ន": ("n", _SECOND),
    "ប": ("b", _FIRST), "ផ": ("ph", _FIRST), "ព": ("p", _SECOND), "ភ": ("ph", _SECOND),
    "ម": ("m", _SECOND), "យ": ("y", _SECOND), "រ": ("r", _SECOND), "ល": ("l", _SECOND),
    "វ": ("v", _SECOND), "ឝ": ("s", _FIRST), "ឞ": ("s", _FIRST), "ស": ("s", _FIRST),
    "ហ": ("h", _FIRST), "ឡ": ("l", _FIRST), "អ": ("", _FIRST),
}  # fmt: skip
_INHERENT = ("a", "o")
# Dependent vowels: (first series, second series).
_VOWELS: dict[str, tuple[str, str]] = {
    "\u17b6": ("a", "ea"), "\u17b7": ("e", "i"), "\u17b8": ("ei", "i"),
    "\u17b9": ("oe", "ue"), "\u17ba": ("eu", "eu"), "\u17bb": ("o", "u"),
    "\u17bc": ("ou", "u"), "\u17bd": ("uo", "uo"), "\u17be": ("aeu", "eu"),
    "\u17bf": ("oea", "oea"), "\u17c0": ("ie", "ie"), "\u17c1": ("e", "e"),
    "\u17c2": ("ae", "ae"), "\u17c3": ("ai", "ey"), "\u17c4": ("ao", "o"),
    "\u17c5": ("au", "ov"),
}  # fmt: skip
# NIKAHIT (◌ំ) after a consonant or with a vowel: a final m sound.
_NIKAHIT = "\u17c6"
_WITH_NIKAHIT: dict[str, tuple[str, str]] = {
    "": ("am", "um"), "\u17bb": ("om", "um"), "\u17b6": ("am", "oam"),
    "\u17c1": ("em", "em"), "\u17c4": ("aom", "om"),
}  # fmt: skip
_REAHMUK = "\u17c7"  # ◌ះ: a final h
_INDEPENDENT: dict[str, str] = {
    "ឣ": "a", "ឤ": "aa", "ឥ": "e", "ឦ": "ei", "ឧ": "o", "ឨ": "ou", "ឩ": "ou", "ឪ": "au",
    "ឫ": "rue", "ឬ": "rueu", "ឭ": "lue", "ឮ": "lueu", "ឯ": "ae", "ឰ": "ai", "ឱ": "ao",
    "ឲ": "ao", "ឳ": "au",
}  # fmt: skip
_COENG = "\u17d2"  # the next consonant is written below: a cluster, no vowel between
_TO_FIRST, _TO_SECOND = "\u17c9", "\u17ca"  # MUUSIKATOAN, TRIISAP: change the series
_ROBAT = "\u17cc"  # ◌៌: an r
_KHMER_DIGITS = {chr(0x17E0 + d): str(d) for d in range(10)}


def _khmer(word: str) -> str:
    """UNGEGN's spelling, syllable by syllable: a consonant (with the ones written below it)
    takes the vowel written with it; one with none is a syllable's final if the syllable
    before it is still open, else it carries its series' inherent vowel (a or o) when more
    follows. Simplified where the rules depend on pronunciation, not letters."""
    out: list[str] = []
    i, n = 0, len(word)
    open_syllable = False  # the last syllable has its vowel and no final yet
    while i < n:
        c = word[i]
        if c in _INDEPENDENT:
            out.append(_INDEPENDENT[c])
            open_syllable, i = True, i + 1
            continue
        if c in _KHMER_DIGITS:
            out.append(_KHMER_DIGITS[c])
            open_syllable, i = False, i + 1
            continue
        if c not in _CONSONANTS:
            if c.isascii() and c.isalnum():
                out.append(c)
            i += 1  # a sign that changes no spelling (BANTOC, viriam, ...)
            continue
        spelling, series = _CONSONANTS[c]
        i += 1
        while i + 1 < n and word[i] == _COENG and word[i + 1] in _CONSONANTS:
            spelling += _CONSONANTS[word[i + 1]][0]
            i += 2
        vowel = ""
        nikahit = reahmuk = False
        while i < n and word[i] not in _CONSONANTS and word[i] not in _INDEPENDENT:
            mark = word[i]
            if mark == _TO_FIRST:
                series = _FIRST
            elif mark == _TO_SECOND:
                series = _SECOND
            elif mark == _ROBAT:
                spelling += "r"
            elif mark in _VOWELS:
                vowel += mark
            elif mark == _NIKAHIT:
                nikahit = True
            elif mark == _REAHMUK:
                reahmuk = True
            i += 1
        if nikahit:
            pair = _WITH_NIKAHIT.get(vowel) or (_VOWELS[vowel[0]][series] + "m",) * 2
            out.append(spelling + pair[series] + ("h" if reahmuk else ""))
            open_syllable = False
        elif vowel:
            out.append(spelling + "".join(_VOWELS[v][series] for v in vowel)
                       + ("h" if reahmuk else ""))
            open_syllable = not reahmuk
        elif reahmuk:
            out.append(spelling + ("ah", "eah")[series])
            open_syllable = False
        elif open_syllable:
            out.append(spelling)  # the open syllable's final
            open_syllable = False
        else:
            out.append(spelling + _INHERENT[series])
            open_syllable = True
    return "".join(out)
