"""A licence's countries written back as an expression (DOMAIN.md, Territories: "Shown to
people"): the shortest one, read back in order to the same countries on the day it is for."""

from __future__ import annotations

import random
from datetime import date

import pycountry
from contracts.territories import Term, describe, evaluate

EVERY_COUNTRY = {c.alpha_2 for c in pycountry.countries}  # the oracle of WORLD
# ASEAN before Timor-Leste joined on 2025-10-26 (ASEAN Secretariat): the other ten.
ASEAN_2024 = {"BN", "ID", "KH", "LA", "MM", "MY", "PH", "SG", "TH", "VN"}
# The EU's 28 before the United Kingdom left after 2020-01-31 (the treaties of accession).
EU_2019 = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR",
           "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE",
           "SI", "SK"}  # fmt: skip


def text(terms: tuple[Term, ...]) -> str:
    return " ".join(map(str, terms))


def test_a_group_is_named_by_its_members_on_the_day() -> None:
    assert text(describe(ASEAN_2024, date(2024, 6, 1))) == "ASEAN"
    assert text(describe(ASEAN_2024 | {"TL"}, date(2026, 1, 1))) == "ASEAN"
    # The same ten countries once Timor-Leste had joined are ASEAN without it.
    assert text(describe(ASEAN_2024, date(2026, 1, 1))) == "ASEAN -TL"
    assert text(describe(EU_2019, date(2019, 6, 1))) == "EU"
    assert text(describe(EU_2019, date(2021, 6, 1))) == "EU GB"


def test_the_world_with_exclusions_and_a_group_with_additions() -> None:
    assert text(describe(EVERY_COUNTRY - {"JP"}, None)) == "WORLD -JP"
    assert text(describe(EVERY_COUNTRY - {"KR", "JP"}, date(2026, 1, 1))) == "WORLD -JP -KR"
    assert text(describe(ASEAN_2024 | {"JP"}, date(2024, 6, 1))) == "ASEAN JP"
    assert text(describe(ASEAN_2024 - {"BN"} | {"JP"}, date(2024, 6, 1))) == "ASEAN -BN JP"


def test_a_few_countries_are_themselves_and_a_tie_keeps_them() -> None:
    assert text(describe(["VN", "TH"], date(2026, 1, 1))) == "TH VN"
    assert text(describe(["TL"], date(2026, 1, 1))) == "TL"
    # Two ASEAN countries: "ASEAN -…" would need nine exclusions.
    assert text(describe(["TH", "JP"], date(2024, 6, 1))) == "JP TH"


def test_read_back_in_order_it_gives_the_same_countries_and_is_never_longer() -> None:
    rng = random.Random(20)
    pools = [sorted(EVERY_COUNTRY), sorted(ASEAN_2024 | {"TL"}), sorted(EU_2019)]
    days = (date(1990, 1, 1), date(2019, 6, 1), date(2024, 6, 1), date(2026, 1, 1), None)
    for _ in range(300):
        day = rng.choice(days)
        pool = rng.choice(pools)
        wanted = set(rng.sample(pool, rng.randrange(1, min(len(pool), 12))))
        if rng.random() < 0.5:
            wanted = set(pool) - wanted | {"JP"}
        if rng.random() < 0.3:
            wanted = EVERY_COUNTRY - wanted
        terms = describe(wanted, day)
        assert evaluate(terms, day) == frozenset(wanted), (sorted(wanted), day)
        assert 0 < len(terms) <= len(wanted)
