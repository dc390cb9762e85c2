"""Co-owners' consent to a filing (DOMAIN.md): who is asked, each answer, the return on a
rejection or a lapse, and examination only once everyone confirmed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from contracts.enums import FilingConsentStatus, Role, WorkStatus
from contracts.errors import IllegalTransition, InvalidInput
from filing import events
from filing.domain import consents
from filing.domain.errors import NotAsked
from filing.domain.examination import Examination
from filing.domain.holders import RightsHolder
from filing.domain.works import WorkAction

ALICE, BOB, CARA = uuid4(), uuid4(), uuid4()
CO_OWNED = (
    RightsHolder(ALICE, Role.COMPOSER, Decimal("50.00")),
    RightsHolder(BOB, Role.LYRICIST, Decimal("30.00")),
    RightsHolder(BOB, Role.PUBLISHER, Decimal("10.00")),
    RightsHolder(CARA, Role.ARRANGER, Decimal("10.00")),
)
REGISTER = Examination(status=WorkStatus.REGISTERED, reason=None)


@pytest.fixture
def waiting(make_work, now):
    filed = make_work(filed_by=ALICE, rights_holders=CO_OWNED, filing_number="F-2026-000042")
    work, _ = consents.request_consent(filed, deadline=now + timedelta(days=14), now=now)
    return work


def test_each_holding_of_another_party_is_asked_never_the_filer():
    asked = consents.asked_holdings(ALICE, CO_OWNED)
    assert [(c.party_id, c.role, c.share) for c in asked] == [
        (BOB, Role.LYRICIST, Decimal("30.00")),
        (BOB, Role.PUBLISHER, Decimal("10.00")),
        (CARA, Role.ARRANGER, Decimal("10.00")),
    ]
    assert all(c.status == FilingConsentStatus.PENDING for c in asked)
    assert consents.asked_parties(asked) == (BOB, CARA)


def test_a_filing_held_by_the_filer_alone_is_examined_at_once(make_work):
    alone = make_work(filed_by=ALICE)
    assert consents.filing_outcome(alone, REGISTER) == REGISTER


def test_a_filing_naming_another_party_waits_for_consent(make_work):
    outcome = consents.filing_outcome(make_work(filed_by=ALICE, rights_holders=CO_OWNED), REGISTER)
    assert outcome.status == WorkStatus.AWAITING_CONSENT


def test_an_identifier_clash_rejects_at_once_without_asking_anyone(make_work):
    clash = Examination(status=WorkStatus.REJECTED, reason="ISWC held", related_work_id=uuid4())
    work = make_work(filed_by=ALICE, rights_holders=CO_OWNED)
    assert consents.filing_outcome(work, clash) is clash


def test_request_sets_the_deadline_and_names_each_party_asked_once(make_work, now):
    filed = make_work(filed_by=ALICE, rights_holders=CO_OWNED)
    deadline = consents.deadline_of(now, 14)
    assert deadline == now + timedelta(days=14)
    work, change = consents.request_consent(filed, deadline=deadline, now=now)
    assert work.status == WorkStatus.AWAITING_CONSENT
    assert work.consent_deadline == deadline and work.registration_number is None
    assert len(work.consents) == 3
    assert change.action == WorkAction.CONSENT_REQUESTED and change.asked == (BOB, CARA)
    event = events.work_event(work, change, version=2)
    assert event.asked == [BOB, CARA] and event.deadline == deadline


def test_a_party_confirms_all_its_holdings_at_once(waiting, now):
    work, change = consents.decide(waiting, party_id=BOB, confirm=True, reason=None, now=now)
    statuses = {(c.party_id, c.role): c.status for c in work.consents}
    assert statuses == {
        (BOB, Role.LYRICIST): FilingConsentStatus.CONFIRMED,
        (BOB, Role.PUBLISHER): FilingConsentStatus.CONFIRMED,
        (CARA, Role.ARRANGER): FilingConsentStatus.PENDING,
    }
    assert work.status == WorkStatus.AWAITING_CONSENT
    assert not consents.all_confirmed(work.consents)
    assert change.action == WorkAction.CONSENT_GIVEN and change.party_id == BOB
    assert events.work_event(work, change, version=3).party_id == BOB


def test_everyone_confirmed_once_the_last_party_confirms(waiting, now):
    work, _ = consents.decide(waiting, party_id=BOB, confirm=True, reason=None, now=now)
    work, _ = consents.decide(work, party_id=CARA, confirm=True, reason=None, now=now)
    assert consents.all_confirmed(work.consents)
    assert consents.rejection(work.consents) is None


def test_a_rejection_returns_the_work_to_the_filer_with_the_reason(waiting, now):
    work, change = consents.decide(
        waiting, party_id=CARA, confirm=False, reason="I never arranged it", now=now
    )
    rejected = consents.rejection(work.consents)
    assert rejected is not None and rejected.party_id == CARA
    assert rejected.reason == "I never arranged it" and rejected.decided_at == now
    assert change.action == WorkAction.HOLDING_REJECTED
    returned, back = consents.returned_on_rejection(work, rejected, now=now)
    assert returned.status == WorkStatus.RETURNED
    assert str(CARA) in (returned.status_reason or "")
    assert "I never arranged it" in (returned.status_reason or "")
    event = events.work_event(returned, back, version=4)
    assert event.reason == returned.status_reason


@pytest.mark.parametrize("reason", [None, "", "   ", "x" * 2001])
def test_a_rejection_needs_a_reason(waiting, now, reason):
    with pytest.raises(InvalidInput) as caught:
        consents.decide(waiting, party_id=CARA, confirm=False, reason=reason, now=now)
    assert caught.value.field == "reason"


@pytest.mark.parametrize("party", ["filer", "stranger"])
def test_only_a_party_asked_answers(waiting, now, party):
    who = ALICE if party == "filer" else uuid4()
    with pytest.raises(NotAsked):
        consents.decide(waiting, party_id=who, confirm=True, reason=None, now=now)


def test_an_answer_is_not_changed_afterwards(waiting, now):
    work, _ = consents.decide(waiting, party_id=BOB, confirm=True, reason=None, now=now)
    with pytest.raises(NotAsked):
        consents.decide(work, party_id=BOB, confirm=False, reason="changed my mind", now=now)


@pytest.mark.parametrize("status", [WorkStatus.REGISTERED, WorkStatus.RETURNED, WorkStatus.FILED])
def test_only_a_work_awaiting_consent_takes_an_answer(make_work, now, status):
    work = make_work(filed_by=ALICE, rights_holders=CO_OWNED, status=status,
                     consents=consents.asked_holdings(ALICE, CO_OWNED))
    with pytest.raises(IllegalTransition):
        consents.decide(work, party_id=BOB, confirm=True, reason=None, now=now)


def test_a_lapse_returns_the_work_naming_who_did_not_answer(waiting, now):
    work, _ = consents.decide(waiting, party_id=BOB, confirm=True, reason=None, now=now)
    later = now + timedelta(days=15)
    returned, change = consents.lapse(work, now=later)
    assert returned.status == WorkStatus.RETURNED
    assert returned.status_reason == f"{consents.LAPSED}: no answer from {CARA}"
    assert change.action == WorkAction.RETURNED and change.actor_id is None


def test_a_returned_work_is_final(waiting, now):
    returned, _ = consents.lapse(waiting, now=now)
    with pytest.raises(IllegalTransition):
        consents.lapse(returned, now=now)
