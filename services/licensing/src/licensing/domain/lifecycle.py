"""The licence state machine and who may move it.

`OFFERED -> ACTIVE | DECLINED | WITHDRAWN`, `ACTIVE -> TERMINATED | EXPIRED`, and for an
exclusive offer that waits for co-owners `AWAITING_OWNERS -> OFFERED | REFUSED_BY_OWNERS |
WITHDRAWN`; nothing else.
Checks run in the order a caller can act on: who acts (403), then the state (409), so a
licensee accepting twice learns the licence is already ACTIVE.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from contracts.enums import LicenceStatus, WorkStatus
from contracts.errors import InvalidInput

from licensing.domain.availability import Footprint
from licensing.domain.deals import DealRef
from licensing.domain.errors import (
    LicenceStateError,
    NotAnOwner,
    NotAParty,
    NotTheLicensee,
    NotTheOfferor,
    SelfLicence,
    WorkNotLicensable,
)
from licensing.domain.terms import Terms

TRANSITIONS: dict[LicenceStatus, frozenset[LicenceStatus]] = {
    LicenceStatus.OFFERED: frozenset(
        {LicenceStatus.ACTIVE, LicenceStatus.DECLINED, LicenceStatus.WITHDRAWN}
    ),
    LicenceStatus.ACTIVE: frozenset({LicenceStatus.TERMINATED, LicenceStatus.EXPIRED}),
    LicenceStatus.DECLINED: frozenset(),
    LicenceStatus.WITHDRAWN: frozenset(),
    LicenceStatus.TERMINATED: frozenset(),
    LicenceStatus.EXPIRED: frozenset(),
    LicenceStatus.AWAITING_OWNERS: frozenset(
        {LicenceStatus.OFFERED, LicenceStatus.REFUSED_BY_OWNERS, LicenceStatus.WITHDRAWN}
    ),
    LicenceStatus.REFUSED_BY_OWNERS: frozenset(),
}


@dataclass(frozen=True)
class WorkView:
    """What licensing knows of a work from the register's events."""

    id: UUID
    status: WorkStatus
    owners: frozenset[UUID]


@dataclass(frozen=True)
class Licence:
    id: UUID
    work_id: UUID
    licensor_id: UUID
    licensee_id: UUID
    terms: Terms
    status: LicenceStatus
    status_reason: str | None = None
    deal: DealRef | None = None

    @property
    def footprint(self) -> Footprint:
        return Footprint(
            territories=frozenset(self.terms.territories),
            media=frozenset(self.terms.media),
            exclusive=self.terms.exclusive,
            period=self.terms.period,
        )


def ensure_licensable(work: WorkView) -> None:
    if work.status != WorkStatus.REGISTERED:
        raise WorkNotLicensable(
            f"work {work.id} is {work.status.value}; only a REGISTERED work can be licensed",
            field="work_id",
        )


def offer(
    *,
    licence_id: UUID,
    work: WorkView,
    offeror: UUID,
    licensee: UUID,
    terms: Terms,
    awaiting_owners: bool = False,
) -> Licence:
    """A new OFFERED licence, or AWAITING_OWNERS when co-owners must consent first
    (`domain.consent`); availability is checked by the caller against ACTIVE ones."""
    if offeror not in work.owners:
        raise NotAnOwner(f"only an owner of work {work.id} may offer a licence", field="work_id")
    ensure_licensable(work)
    if licensee == offeror:
        raise SelfLicence("a party cannot license a work to itself", field="licensee_id")
    return Licence(
        id=licence_id,
        work_id=work.id,
        licensor_id=offeror,
        licensee_id=licensee,
        terms=terms,
        status=LicenceStatus.AWAITING_OWNERS if awaiting_owners else LicenceStatus.OFFERED,
    )


def _move(licence: Licence, to: LicenceStatus, reason: str | None) -> Licence:
    if to not in TRANSITIONS[licence.status]:
        raise LicenceStateError(
            f"licence {licence.id} is {licence.status.value}; it cannot become {to.value}",
            field="status",
        )
    return replace(licence, status=to, status_reason=reason)


def _clean_reason(reason: str | None) -> str | None:
    return reason.strip() or None if reason is not None else None


def accept(licence: Licence, *, actor: UUID, work: WorkView) -> Licence:
    """Conflicts with ACTIVE licences are re-checked by the caller under the work's lock."""
    if actor != licence.licensee_id:
        raise NotTheLicensee("only the named licensee may accept the offer", field="licence_id")
    accepted = _move(licence, LicenceStatus.ACTIVE, None)
    # A disputed work accepts no new licences until an examiner resolves the dispute.
    ensure_licensable(work)
    return accepted


def decline(licence: Licence, *, actor: UUID, reason: str | None = None) -> Licence:
    if actor != licence.licensee_id:
        raise NotTheLicensee("only the named licensee may decline the offer", field="licence_id")
    return _move(licence, LicenceStatus.DECLINED, _clean_reason(reason))


def withdraw(licence: Licence, *, actor: UUID) -> Licence:
    if actor != licence.licensor_id:
        raise NotTheOfferor("only the offeror may withdraw the offer", field="licence_id")
    return _move(licence, LicenceStatus.WITHDRAWN, None)


def terminate(
    licence: Licence, *, actor: UUID, reason: str | None, owners: Collection[UUID]
) -> Licence:
    """Either side ends an ACTIVE licence: the licensee, or any owner (the licensor side)."""
    if actor != licence.licensee_id and actor != licence.licensor_id and actor not in owners:
        raise NotAParty(
            "only the licensee or an owner of the work may terminate the licence",
            field="licence_id",
        )
    cleaned = _clean_reason(reason)
    if cleaned is None:
        raise InvalidInput("a reason is required to terminate a licence", field="reason")
    return _move(licence, LicenceStatus.TERMINATED, cleaned)


def owners_agreed(licence: Licence) -> Licence:
    """The last owner asked consented: the licensee may now accept."""
    return _move(licence, LicenceStatus.OFFERED, None)


def refused_by_owners(licence: Licence, reason: str) -> Licence:
    """An owner refused (or the consents lapsed): the offer ends with the reason."""
    return _move(licence, LicenceStatus.REFUSED_BY_OWNERS, reason)


def is_due_to_expire(licence: Licence, today: date) -> bool:
    """A licence expires the day after its (inclusive) end date."""
    end = licence.terms.period.end
    return licence.status == LicenceStatus.ACTIVE and end is not None and end < today


def expire(licence: Licence, today: date) -> Licence:
    if not is_due_to_expire(licence, today):
        raise LicenceStateError(
            f"licence {licence.id} is not an ACTIVE licence past its end date", field="status"
        )
    return _move(licence, LicenceStatus.EXPIRED, f"ended {licence.terms.period.end}")
