"""Automatic examination: identifier clash, likely duplicate, registration."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from contracts.enums import Role, WorkStatus
from filing.domain.examination import ExistingWork, apply_examination, examine, numbers_taken
from filing.domain.holders import RightsHolder
from filing.domain.numbering import NumberKind
from filing.domain.works import Identifiers, WorkAction

ALICE, BOB = uuid4(), uuid4()
ISWC = "T-034.524.680-1"


def _existing(
    *,
    status: WorkStatus = WorkStatus.REGISTERED,
    title: str = "Another Song",
    identifiers: Identifiers | None = None,
    holders: frozenset[UUID] = frozenset({BOB}),
) -> ExistingWork:
    return ExistingWork(
        id=uuid4(),
        filing_number="F-2026-000001",
        title=title,
        status=status,
        identifiers=identifiers or Identifiers(),
        holder_ids=holders,
    )


@pytest.fixture
def filed(make_work):
    return make_work(
        title="Moonlight Over Mekong",
        identifiers=Identifiers(iswc=ISWC),
        rights_holders=(RightsHolder(ALICE, Role.COMPOSER, Decimal("100.00")),),
        filed_by=ALICE,
        filing_number="F-2026-000002",
    )


def test_nothing_in_common_registers(filed):
    outcome = examine(filed, [_existing()])
    assert outcome.status == WorkStatus.REGISTERED


@pytest.mark.parametrize(
    "status",
    [WorkStatus.REGISTERED, WorkStatus.FILED, WorkStatus.UNDER_REVIEW, WorkStatus.DISPUTED],
)
def test_identifier_held_by_registered_or_pending_work_rejects_naming_it(filed, status):
    other = _existing(status=status, identifiers=Identifiers(iswc=ISWC))
    outcome = examine(filed, [other])
    assert outcome.status == WorkStatus.REJECTED
    assert other.filing_number in (outcome.reason or "")
    assert str(other.id) in (outcome.reason or "")
    assert outcome.related_work_id == other.id


def test_identifier_of_a_rejected_work_is_free(filed):
    outcome = examine(
        filed, [_existing(status=WorkStatus.REJECTED, identifiers=Identifiers(iswc=ISWC))]
    )
    assert outcome.status == WorkStatus.REGISTERED


def test_same_title_and_common_holder_goes_to_review(filed):
    other = _existing(title="moonlight over mêkong!", holders=frozenset({ALICE, BOB}))
    outcome = examine(filed, [other])
    assert outcome.status == WorkStatus.UNDER_REVIEW
    assert outcome.related_work_id == other.id
    assert other.filing_number in (outcome.reason or "")


def test_same_title_without_common_holder_registers(filed):
    outcome = examine(filed, [_existing(title="Moonlight over Mekong", holders=frozenset({BOB}))])
    assert outcome.status == WorkStatus.REGISTERED


def test_same_title_as_a_pending_work_is_not_a_duplicate(filed):
    other = _existing(
        status=WorkStatus.UNDER_REVIEW, title="Moonlight over Mekong", holders=frozenset({ALICE})
    )
    assert examine(filed, [other]).status == WorkStatus.REGISTERED


def test_identifier_clash_wins_over_duplicate(filed):
    dup = _existing(title="Moonlight over Mekong", holders=frozenset({ALICE}))
    clash = _existing(identifiers=Identifiers(iswc=ISWC))
    assert examine(filed, [dup, clash]).status == WorkStatus.REJECTED


def test_a_work_does_not_clash_with_itself(filed):
    itself = ExistingWork(
        id=filed.id,
        filing_number=filed.filing_number,
        title=filed.title,
        status=WorkStatus.FILED,
        identifiers=filed.identifiers,
        holder_ids=frozenset({ALICE}),
    )
    assert examine(filed, [itself]).status == WorkStatus.REGISTERED


def test_registration_outcome_takes_the_registration_number(filed, now):
    outcome = examine(filed, [])
    work, change = apply_examination(filed, outcome, now=now, registration_number="R-2026-000003")
    assert work.status == WorkStatus.REGISTERED
    assert work.registration_number == "R-2026-000003"
    assert change.action == WorkAction.REGISTERED and change.actor_id is None


def test_rejection_outcome_has_no_registration_number(filed, now):
    other = _existing(identifiers=Identifiers(iswc=ISWC))
    work, change = apply_examination(filed, examine(filed, [other]), now=now)
    assert work.status == WorkStatus.REJECTED
    assert work.registration_number is None
    assert work.status_reason and other.filing_number in work.status_reason
    assert change.action == WorkAction.REJECTED and change.related_work_id == other.id


def test_review_outcome_requests_review(filed, now):
    other = _existing(title="Moonlight Over Mekong", holders=frozenset({ALICE}))
    work, change = apply_examination(filed, examine(filed, [other]), now=now)
    assert work.status == WorkStatus.UNDER_REVIEW
    assert change.action == WorkAction.REVIEW_REQUESTED


def test_only_a_filing_that_registers_takes_a_registration_number(filed):
    registered = examine(filed, [_existing()])
    clash = examine(filed, [_existing(identifiers=Identifiers(iswc=ISWC))])
    assert numbers_taken(registered) == (NumberKind.FILING, NumberKind.REGISTRATION)
    assert numbers_taken(clash) == (NumberKind.FILING,)
