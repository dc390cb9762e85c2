"""DOMAIN.md "Access" as one table: every role × object × field, allow or deny.

The table is written here by hand from DOMAIN.md, not computed from `contracts.access`, so a
change to a rule fails this test until the table (and DOMAIN.md) say the same.
"""

from __future__ import annotations

import uuid

import pytest
from contracts.access import Caller, LicenceFacts

from contracts import access

LICENSOR = uuid.UUID("10000000-0000-4000-8000-000000000001")  # offered it, owns the work still
FORMER_LICENSOR = uuid.UUID("10000000-0000-4000-8000-000000000002")  # offered, then sold out
LICENSEE = uuid.UUID("10000000-0000-4000-8000-000000000003")
CO_OWNER = uuid.UUID("10000000-0000-4000-8000-000000000004")  # a current owner, not the offeror
FORMER_OWNER = uuid.UUID("10000000-0000-4000-8000-000000000005")  # held shares, not the offeror
STRANGER = uuid.UUID("10000000-0000-4000-8000-000000000006")
SOCIETY = uuid.UUID("10000000-0000-4000-8000-000000000007")
EXAMINER = uuid.UUID("10000000-0000-4000-8000-000000000008")
OPERATOR = uuid.UUID("10000000-0000-4000-8000-000000000009")

OWNERS_NOW = frozenset({LICENSOR, CO_OWNER})
# The licence offered by LICENSOR, and one offered by FORMER_LICENSOR before it sold its share.
LICENCE = LicenceFacts(licensor_id=LICENSOR, licensee_id=LICENSEE, owner_ids=OWNERS_NOW)
OLD_LICENCE = LicenceFacts(
    licensor_id=FORMER_LICENSOR, licensee_id=LICENSEE, owner_ids=OWNERS_NOW
)

CALLERS: dict[str, Caller] = {
    "anonymous": access.ANONYMOUS,
    "stranger": Caller.of(str(STRANGER), ["party"]),
    "licensor": Caller.of(str(LICENSOR), ["party"]),
    "former_licensor": Caller.of(str(FORMER_LICENSOR), ["party"]),
    "licensee": Caller.of(str(LICENSEE), ["party"]),
    "current_owner": Caller.of(str(CO_OWNER), ["party"]),
    "former_owner": Caller.of(str(FORMER_OWNER), ["party"]),
    "examiner": Caller.of(str(EXAMINER), ["examiner"]),
    "examiner_without_party": Caller.of("examiner-account", ["examiner"]),
    "collecting_society": Caller.of(str(SOCIETY), ["party", "society"]),
    "operator": Caller.of(str(OPERATOR), ["operator"]),
    "machine_client": Caller.of("service-account-reports", []),
}

# role -> (sees LICENCE, sees OLD_LICENCE); statements and usage reports follow their licence.
LICENCES: dict[str, tuple[bool, bool]] = {
    "anonymous": (False, False),
    "stranger": (False, False),
    "licensor": (True, True),  # a current owner sees every licence on the work
    "former_licensor": (False, True),  # a side of the contract it granted, owner or not
    "licensee": (True, True),
    "current_owner": (True, True),
    "former_owner": (False, False),
    "examiner": (True, True),
    "examiner_without_party": (True, True),
    "collecting_society": (True, True),
    "operator": (False, False),
    "machine_client": (False, False),
}

# Whose notification the role reads: only its own, and only if it acts for a party.
OWN_NOTIFICATIONS = {
    "stranger": STRANGER, "licensor": LICENSOR, "former_licensor": FORMER_LICENSOR,
    "licensee": LICENSEE, "current_owner": CO_OWNER, "former_owner": FORMER_OWNER,
    "examiner": EXAMINER, "collecting_society": SOCIETY, "operator": OPERATOR,
}

PARTY_FIELDS = ["name", "kind", "country", "ipi_name_number", "isni", "email", "webhook_url",
                "has_webhook_secret", "webhook_secret"]
# What a role reads of the LICENSEE party's record, field by field ("public" = the register).
PUBLIC = {"name", "kind", "country", "ipi_name_number", "isni"}
CONTACTS = {"email", "webhook_url", "has_webhook_secret"}


def _party_fields_expected(role: str) -> set[str]:
    if role == "anonymous":
        return set()
    if role == "licensee":
        return PUBLIC | CONTACTS  # its own record; the webhook secret never
    return PUBLIC


def test_the_matrix_names_every_role() -> None:
    assert set(LICENCES) == set(CALLERS)
    assert set(OWN_NOTIFICATIONS) <= set(CALLERS)


@pytest.mark.parametrize("role", sorted(CALLERS))
def test_a_licence_its_usage_and_statements_are_seen_by_the_table(role: str) -> None:
    caller = CALLERS[role]
    expected = LICENCES[role]
    seen = (access.may_see_licence(caller, LICENCE), access.may_see_licence(caller, OLD_LICENCE))
    assert seen == expected
    statements = (
        access.may_see_statement(caller, LICENCE),
        access.may_see_statement(caller, OLD_LICENCE),
    )
    assert statements == expected


@pytest.mark.parametrize("role", sorted(CALLERS))
def test_the_owners_are_asked_for_only_when_they_decide(role: str) -> None:
    caller = CALLERS[role]
    for licence in (LICENCE, OLD_LICENCE):
        unknown_owners = LicenceFacts(licence.licensor_id, licence.licensee_id)
        if access.needs_owners(caller, unknown_owners):
            with pytest.raises(ValueError):
                access.may_see_licence(caller, unknown_owners)
        else:
            # Decided without the owners, and the same answer as with them.
            assert access.may_see_licence(caller, unknown_owners) == access.may_see_licence(
                caller, licence
            )


@pytest.mark.parametrize("role", sorted(CALLERS))
def test_a_notification_is_its_recipients_alone(role: str) -> None:
    caller = CALLERS[role]
    own = OWN_NOTIFICATIONS.get(role)
    for recipient in (*OWN_NOTIFICATIONS.values(), uuid.uuid4()):
        assert access.may_see_notification(caller, recipient) == (recipient == own)
        assert access.may_see_notification(caller, str(recipient)) == (recipient == own)


@pytest.mark.parametrize("field", PARTY_FIELDS)
@pytest.mark.parametrize("role", sorted(CALLERS))
def test_a_party_shows_its_public_part_to_all_and_its_contacts_to_itself(
    role: str, field: str
) -> None:
    caller = CALLERS[role]
    expected = field in _party_fields_expected(role)
    assert access.may_read_party_field(caller, LICENSEE, field) == expected
    if field in CONTACTS:
        assert access.may_manage_contacts(caller, LICENSEE) == expected


def test_an_unknown_party_field_is_a_mistake_not_a_denial() -> None:
    with pytest.raises(ValueError):
        access.may_read_party_field(CALLERS["licensee"], LICENSEE, "password")


@pytest.mark.parametrize("role", sorted(CALLERS))
def test_the_public_register_is_read_by_everyone_authenticated(role: str) -> None:
    assert access.may_read_register(CALLERS[role]) == (role != "anonymous")


def test_a_subject_that_is_not_a_party_id_acts_for_no_party() -> None:
    assert CALLERS["machine_client"].party_id is None
    assert CALLERS["examiner_without_party"].party_id is None
    assert Caller.of(LICENSEE, ["party"]).party_id == LICENSEE


def test_a_partys_first_record_is_written_by_itself_or_by_the_registrar_alone() -> None:
    """DOMAIN.md, "Accounts and members": the gateway's client (`registrar`) registers a party
    for the account that asked; no other caller may write another party's record, whatever
    its other roles."""
    registrar = Caller.of(None, [access.REGISTRAR])
    assert access.may_register_party(registrar, STRANGER)
    assert access.may_register_party(CALLERS["stranger"], STRANGER)
    for name, caller in CALLERS.items():
        if name != "stranger":
            assert not access.may_register_party(caller, STRANGER), name
    assert not access.may_register_party(access.ANONYMOUS, STRANGER)


# DOMAIN.md, "The payee ledger, payments and conversion": whose ledger each role sees (the
# licensee's, as the payee asked about), and who records exchange rates.
LEDGER_OF_LICENSEE = {"licensee", "examiner", "examiner_without_party", "collecting_society"}
RECORDS_RATES = {"examiner", "examiner_without_party", "operator"}


@pytest.mark.parametrize("role", sorted(CALLERS))
def test_a_ledger_is_its_partys_and_examiners_and_societies(role: str) -> None:
    assert access.may_see_ledger(CALLERS[role], LICENSEE) == (role in LEDGER_OF_LICENSEE)


@pytest.mark.parametrize("role", sorted(CALLERS))
def test_exchange_rates_are_recorded_by_examiners_and_operators(role: str) -> None:
    assert access.may_record_exchange_rate(CALLERS[role]) == (role in RECORDS_RATES)
