"""The generated register (devstack.register): the same seed gives the same register, and
every record keeps filing's rules: shares summing to 100.00, identifiers that references
this project did not write accept, titles folded exactly as filing folds them, numbers and
versions as filing's commands leave them; every script is present, word frequencies skewed."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from functools import cache

from contracts.enums import WorkStatus
from devstack.register.generator import Register, WorkRecord
from devstack.register.loader import batches, encode_works
from devstack.register.names import CULTURES
from devstack.register.vocabulary import CONCEPTS, VOCABULARIES, Script
from filing.domain.holders import parse_rights_holders
from filing.domain.identifiers import Identifiers, check_identifier_kinds
from filing.domain.numbering import NumberKind, parse_number
from filing.domain.search_index import search_columns
from filing.domain.titles import search_document, title_key
from stdnum import isbn, isni, isrc

from tests.oracles import music_publisher_accepts

SIZE = 6000


@cache
def register() -> tuple[Register, list[WorkRecord]]:
    generated = Register(SIZE, seed=7)
    return generated, list(generated.works())


def digest(size: int, seed: int) -> str:
    generated = Register(size, seed=seed)
    h = hashlib.sha256()
    for batch in batches(generated, 500):
        for table in sorted(batch.tables):
            h.update(batch.tables[table])
    return h.hexdigest()


def test_the_same_seed_gives_the_same_register_and_another_seed_another() -> None:
    assert digest(1500, seed=3) == digest(1500, seed=3)
    assert digest(1500, seed=3) != digest(1500, seed=4)


def test_every_title_vocabulary_translates_the_same_concepts() -> None:
    for script, vocabulary in VOCABULARIES.items():
        assert len(set(vocabulary.words)) == len(vocabulary.words), script
        assert len(vocabulary.words) >= len(CONCEPTS) + 3, script
        assert len(vocabulary.syllables) >= 18, script
    assert set(VOCABULARIES) == set(Script) == set(CULTURES)


def test_shares_sum_to_100_and_filing_accepts_every_holder_list() -> None:
    _, works = register()
    for work in works:
        shares = [h.share for h in work.holders]
        assert sum(shares) == Decimal("100.00"), work
        assert all(s > 0 and s.as_tuple().exponent == -2 for s in shares), work
        raw = [
            {"party_id": str(h.party_id), "role": h.role.value, "share": str(h.share)}
            for h in work.holders
        ]
        assert len(parse_rights_holders(raw)) == len(work.holders)
        assert work.filed_by == work.holders[0].party_id
    assert {len(w.holders) for w in works} >= {1, 2, 3, 4}


def test_identifiers_are_unique_fit_their_kind_and_references_accept_them() -> None:
    generated, works = register()
    seen: Counter[str] = Counter()
    for work in works:
        check_identifier_kinds(Identifiers(work.iswc, work.isrc, work.isbn), work.kind)
        if work.iswc:
            compact = work.iswc.replace("-", "").replace(".", "")
            assert music_publisher_accepts("iswc", compact), work.iswc
        if work.isrc:
            assert isrc.validate(work.isrc) == work.isrc
        if work.isbn:
            assert isbn.validate(work.isbn) == work.isbn
        seen.update(x for x in (work.iswc, work.isrc, work.isbn) if x)
    assert seen and max(seen.values()) == 1
    for kind in ("iswc", "isrc", "isbn"):
        assert sum(1 for w in works if getattr(w, kind)) > SIZE // 20, kind
    parties = list(generated.parties())
    ipis = [p.ipi_name_number for p in parties if p.ipi_name_number]
    isnis = [p.isni for p in parties if p.isni]
    assert len(ipis) > len(parties) // 4 and len(set(ipis)) == len(ipis)
    assert all(music_publisher_accepts("ipi_name", ipi) for ipi in ipis)
    assert isnis and all(isni.is_valid(code) for code in isnis)


def test_folded_columns_are_filings_own() -> None:
    _, works = register()
    for work in works:
        assert work.title_key == title_key(work.title), work.title
        assert work.search_text == search_document(work.title, work.alternate_titles)
        columns = search_columns(
            work.title,
            list(work.alternate_titles),
            country=work.country_of_origin,
            kind=work.kind.value,
        )
        assert (work.search_keys, work.search_words) == (
            columns["search_keys"], columns["search_words"]
        ), work.title
    assert sum(1 for w in works if w.alternate_titles) > SIZE // 10


def test_every_script_is_present_in_titles_and_names() -> None:
    generated, works = register()
    by_script = Counter(w.script for w in works)
    assert set(by_script) == set(Script)
    assert min(by_script.values()) > SIZE // 100
    # Each script's own letters are in its titles (Vietnamese with its tone marks).
    samples = {s: next(w.title for w in works if w.script is s) for s in Script}
    assert any("\u0e00" <= c <= "\u0e7f" for c in samples[Script.THAI])
    assert any("\u0e80" <= c <= "\u0eff" for c in samples[Script.LAO])
    assert any("\u1780" <= c <= "\u17ff" for c in samples[Script.KHMER])
    assert any("\u1000" <= c <= "\u109f" for c in samples[Script.BURMESE])
    assert any("\u0b80" <= c <= "\u0bff" for c in samples[Script.TAMIL])
    assert any("\u4e00" <= c <= "\u9fff" for c in samples[Script.CHINESE_SIMPLIFIED])
    vietnamese = " ".join(w.title for w in works if w.script is Script.VIETNAMESE)
    assert any(c in vietnamese for c in "ạảãắằẳẵặấầẩẫậếềểễệốồổỗộớờởỡợứừửữự")
    names = {p.name for p in generated.parties()}
    assert any("\u0e00" <= c <= "\u0e7f" for n in names for c in n)
    assert any(n.startswith("Nguyễn") for n in names)


def test_word_frequencies_are_skewed_a_few_common_words_and_a_long_tail() -> None:
    _, works = register()
    for script in (Script.ENGLISH, Script.THAI, Script.CHINESE_SIMPLIFIED):
        keys = [w.title_key for w in works if w.script is script]
        words = VOCABULARIES[script].words
        top = sum(1 for k in keys if title_key(words[0]) in k)
        middle = sum(1 for k in keys if title_key(words[40]) in k)
        assert top > len(keys) / 4, script  # "love", "ความรัก", "爱" in a quarter and more
        assert middle * 5 < top, script
    # The tail: English words made of syllables, nearly each in a title or two only.
    english = [w for w in works if w.script is Script.ENGLISH]
    vocabulary = {title_key(x) for x in VOCABULARIES[Script.ENGLISH].words}
    rare = Counter(
        word.lower() for w in english for word in w.title.split() if title_key(word) not in vocabulary
    )
    assert len(rare) > len(english) / 5
    assert max(rare.values()) < len(english) / 50


def test_numbers_versions_and_histories_are_as_filing_writes_them() -> None:
    generated, works = register()
    numbers = [w.filing_number for w in works]
    registrations = [w.registration_number for w in works if w.registration_number]
    assert len(set(numbers)) == len(numbers) and len(set(registrations)) == len(registrations)
    last: dict[tuple[NumberKind, int], int] = {}
    for number in numbers + registrations:
        kind, year, sequence = parse_number(number)
        last[(kind, year)] = max(last.get((kind, year), 0), sequence)
    assert last == generated.counters.last
    statuses = Counter(w.status for w in works)
    assert statuses[WorkStatus.REGISTERED] > SIZE * 0.9
    assert set(statuses) == {
        WorkStatus.REGISTERED, WorkStatus.UNDER_REVIEW, WorkStatus.REJECTED, WorkStatus.DISPUTED,
    }
    for work in works:
        assert work.version == len(work.history)
        assert work.history[0].action == "FILED" and work.history[0].actor_id == work.filed_by
        assert (work.registration_number is not None) == (
            work.status in (WorkStatus.REGISTERED, WorkStatus.DISPUTED)
        )
        assert work.updated_at == work.history[-1].at >= work.filed_at
        if work.status is WorkStatus.DISPUTED:
            assert work.history[-1].actor_id not in {h.party_id for h in work.holders}
    assert [w.filed_at for w in works] == sorted(w.filed_at for w in works)


def test_copy_text_escapes_what_copy_would_misread() -> None:
    work = register()[1][0]
    tricky = replace(
        work,
        title='Tab\there\\back "quoted"\nline',
        alternate_titles=('a "b"', "c\\d", "e,f"),
    )
    line = encode_works([tricky])["work"].decode()
    assert line.count("\n") == 1 and line.endswith("\n")
    fields = line[:-1].split("\t")
    assert fields[3] == 'Tab\\there\\\\back "quoted"\\nline'
    assert fields[4] == '{"a \\\\"b\\\\"","c\\\\\\\\d","e,f"}'
