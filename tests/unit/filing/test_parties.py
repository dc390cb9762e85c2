"""Party rules: checked fields, identifiers with check digits, updates, self-only writes."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

import pytest
from contracts.enums import PartyKind
from contracts.errors import InvalidInput, NotAllowed
from filing.commands import RegisterParty, UpdateParty, parse
from filing.domain.parties import ensure_self, register_party, update_party


def _register(now: datetime, **overrides: object):
    """A party from a sign-up body, parsed at the edge as the API parses it."""
    fields: dict[str, object] = dict(name="Malee Srisuk", kind="PERSON", country="th")
    fields.update(overrides)
    command = parse(RegisterParty, fields)
    return register_party(party_id=uuid4(), now=now, **command.model_dump())


def _changes(**given: object):
    return parse(UpdateParty, given).changes()


def test_register_party_normalises_country_and_identifiers(now):
    party = _register(now, ipi_name_number="00000000199", isni="0000 0001 2281 955X")
    assert party.country == "TH"
    assert party.kind == PartyKind.PERSON
    assert party.ipi_name_number == "00000000199"
    assert party.isni == "000000012281955X"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "bad\x00name"}, "name"),
        ({"kind": "ROBOT"}, "kind"),
        ({"kind": None}, "kind"),
        ({"country": "XX"}, "country"),
        ({"country": 12}, "country"),
        ({"ipi_name_number": "00000000198"}, "ipi_name_number"),
        ({"isni": "0000000122819551"}, "isni"),
    ],
)
def test_register_party_rejects_bad_field_naming_it(now, overrides, field):
    with pytest.raises(InvalidInput) as caught:
        _register(now, **overrides)
    assert caught.value.field == field


def test_update_party_changes_only_given_fields(now):
    party = _register(now)
    later = now.replace(hour=13)
    updated, changed = update_party(party, _changes(name="Malee S.", country="TH"), now=later)
    assert changed == ("name",)
    assert updated.name == "Malee S."
    assert updated.kind == party.kind
    assert updated.updated_at == later
    assert updated.created_at == party.created_at


def test_update_party_without_real_change_changes_nothing(now):
    party = _register(now)
    same, changed = update_party(party, _changes(name=party.name), now=now.replace(hour=14))
    assert changed == ()
    assert same is party


def test_update_party_clears_optional_identifier(now):
    party = _register(now, isni="000000012281955X")
    updated, changed = update_party(party, _changes(isni=None), now=now)
    assert changed == ("isni",)
    assert updated.isni is None


def test_update_party_rejects_clearing_required_field(now):
    with pytest.raises(InvalidInput) as caught:
        update_party(_register(now), _changes(name=None), now=now)
    assert caught.value.field == "name"


def test_only_the_party_itself_writes_its_record():
    me = uuid4()
    ensure_self(me, me)
    with pytest.raises(NotAllowed):
        ensure_self(uuid4(), me)
