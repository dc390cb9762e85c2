"""The licence state machine and who may move it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from contracts.enums import LicenceStatus, Medium, WorkStatus
from contracts.errors import IllegalTransition, InvalidInput, NotAllowed
from licensing.domain import lifecycle
from licensing.domain.errors import WorkNotLicensable
from licensing.domain.terms import Period, Terms

# Dates in the current year (UTC): the rules take every date as a parameter, so nothing
# here depends on the calendar, and no date is fixed.
THIS_YEAR = datetime.now(UTC).year

OWNER, CO_OWNER, LICENSEE, STRANGER = (UUID(int=i) for i in range(1, 5))
WORK = lifecycle.WorkView(UUID(int=10), WorkStatus.REGISTERED, frozenset({OWNER, CO_OWNER}))
TERMS = Terms(
    territories=("TH",),
    media=(Medium.STREAMING,),
    exclusive=True,
    period=Period(date(THIS_YEAR, 1, 1), date(THIS_YEAR, 12, 31)),
    royalty_rate=Decimal("10.00"),
    advance=Decimal("0.00"),
    currency="USD",
)


def offered(work: lifecycle.WorkView = WORK) -> lifecycle.Licence:
    return lifecycle.offer(
        licence_id=UUID(int=99), work=work, offeror=OWNER, licensee=LICENSEE, terms=TERMS
    )


def test_owner_of_registered_work_may_offer() -> None:
    licence = offered()
    assert licence.status == LicenceStatus.OFFERED and licence.licensor_id == OWNER


def test_only_an_owner_may_offer() -> None:
    with pytest.raises(NotAllowed):
        lifecycle.offer(
            licence_id=UUID(int=99), work=WORK, offeror=STRANGER, licensee=LICENSEE, terms=TERMS
        )


@pytest.mark.parametrize(
    "status",
    [WorkStatus.FILED, WorkStatus.UNDER_REVIEW, WorkStatus.REJECTED, WorkStatus.DISPUTED],
)
def test_only_a_registered_undisputed_work_may_be_offered(status: WorkStatus) -> None:
    with pytest.raises(WorkNotLicensable):
        offered(lifecycle.WorkView(WORK.id, status, WORK.owners))


def test_owner_cannot_license_to_itself() -> None:
    with pytest.raises(InvalidInput) as error:
        lifecycle.offer(
            licence_id=UUID(int=99), work=WORK, offeror=OWNER, licensee=OWNER, terms=TERMS
        )
    assert error.value.field == "licensee_id"


def test_only_the_licensee_may_accept_or_decline() -> None:
    with pytest.raises(NotAllowed):
        lifecycle.accept(offered(), actor=OWNER, work=WORK)
    with pytest.raises(NotAllowed):
        lifecycle.decline(offered(), actor=STRANGER)
    assert lifecycle.accept(offered(), actor=LICENSEE, work=WORK).status == LicenceStatus.ACTIVE
    declined = lifecycle.decline(offered(), actor=LICENSEE, reason=" too dear ")
    assert (declined.status, declined.status_reason) == (LicenceStatus.DECLINED, "too dear")


def test_licensee_accepting_twice_is_an_illegal_transition() -> None:
    active = lifecycle.accept(offered(), actor=LICENSEE, work=WORK)
    with pytest.raises(IllegalTransition):
        lifecycle.accept(active, actor=LICENSEE, work=WORK)


def test_disputed_work_accepts_no_new_licence() -> None:
    disputed = lifecycle.WorkView(WORK.id, WorkStatus.DISPUTED, WORK.owners)
    with pytest.raises(WorkNotLicensable):
        lifecycle.accept(offered(), actor=LICENSEE, work=disputed)


def test_only_the_offeror_may_withdraw_and_only_an_offer() -> None:
    with pytest.raises(NotAllowed):
        lifecycle.withdraw(offered(), actor=CO_OWNER)
    assert lifecycle.withdraw(offered(), actor=OWNER).status == LicenceStatus.WITHDRAWN
    active = lifecycle.accept(offered(), actor=LICENSEE, work=WORK)
    with pytest.raises(IllegalTransition):
        lifecycle.withdraw(active, actor=OWNER)


def test_either_side_may_terminate_an_active_licence_with_a_reason() -> None:
    active = lifecycle.accept(offered(), actor=LICENSEE, work=WORK)
    owners = WORK.owners
    for actor in (LICENSEE, OWNER, CO_OWNER):
        ended = lifecycle.terminate(active, actor=actor, reason="breach", owners=owners)
        assert (ended.status, ended.status_reason) == (LicenceStatus.TERMINATED, "breach")
    with pytest.raises(NotAllowed):
        lifecycle.terminate(active, actor=STRANGER, reason="breach", owners=owners)
    with pytest.raises(InvalidInput) as error:
        lifecycle.terminate(active, actor=LICENSEE, reason="  ", owners=owners)
    assert error.value.field == "reason"
    with pytest.raises(IllegalTransition):
        lifecycle.terminate(offered(), actor=LICENSEE, reason="breach", owners=owners)


def test_licence_expires_only_after_its_end_date() -> None:
    active = lifecycle.accept(offered(), actor=LICENSEE, work=WORK)
    assert not lifecycle.is_due_to_expire(active, date(THIS_YEAR, 12, 31))
    assert lifecycle.is_due_to_expire(active, date(THIS_YEAR + 1, 1, 1))
    assert lifecycle.expire(active, date(THIS_YEAR + 1, 1, 1)).status == LicenceStatus.EXPIRED
    with pytest.raises(IllegalTransition):
        lifecycle.expire(active, date(THIS_YEAR, 6, 1))
    with pytest.raises(IllegalTransition):
        lifecycle.expire(offered(), date(THIS_YEAR + 1, 1, 1))


def test_no_transition_leaves_a_final_state() -> None:
    finals = [s for s, targets in lifecycle.TRANSITIONS.items() if not targets]
    assert set(finals) == {
        LicenceStatus.DECLINED,
        LicenceStatus.WITHDRAWN,
        LicenceStatus.TERMINATED,
        LicenceStatus.EXPIRED,
        LicenceStatus.REFUSED_BY_OWNERS,
    }
