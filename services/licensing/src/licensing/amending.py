"""The amendment and renewal commands (DOMAIN.md, "Amendments and renewals"): load → decide
→ save → emit in one unit of work, the licence's history appended in the same one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from contracts.times import utc_now
from runtime.uow import UnitOfWork, UnitOfWorkFactory

from contracts import events
from licensing import events as outgoing
from licensing import history_repository as versions
from licensing import repository as repo
from licensing.domain import amendments
from licensing.domain.access import Caller
from licensing.domain.amendments import Proposal, ProposalKind, ProposalState
from licensing.domain.availability import LicenceConflict, find_conflicts
from licensing.domain.errors import UnknownAmendment, UnknownWork
from licensing.domain.history import Segment, segments
from licensing.domain.lifecycle import Licence
from licensing.history_commands import ProposeAmendment, RenewLicence
from licensing.models import LicenceRow, LicenceVersionRow
from licensing.service import _owners as owners_of_work
from licensing.service import _visible_licence as visible_licence

# `visible_licence` and `owners_of_work` are the licence commands' own loaders (an invisible
# licence answers as a missing one), shared so amendments see a licence as the others do.


def version_payload(p: Proposal) -> events.LicenceVersion:
    t = p.terms
    return events.LicenceVersion.model_validate(
        {
            "number": p.number, "kind": p.kind.value, "state": p.state.value,
            "effective_from": t.effective_from, "end": t.end,
            "territories": list(t.territories), "media": list(t.media),
            "exclusive": t.exclusive, "royalty_rate": t.royalty_rate,
            "proposed_by": p.proposed_by, "side": p.side.value,
        }
    )  # fmt: skip


async def _propose(
    uow: UnitOfWorkFactory,
    caller: Caller,
    licence_id: UUID,
    decide: Callable[[Licence, tuple[Segment, ...], set[UUID], int, Proposal | None], Proposal],
) -> LicenceVersionRow:
    async with uow() as u:
        row = await visible_licence(u.session, caller, licence_id, for_update=True)
        found = (await versions.versions_of(u.session, [row.id]))[row.id]
        pending = next(
            (versions.to_proposal(v) for v in found if v.state == ProposalState.PENDING.value),
            None,
        )
        owners = await owners_of_work(u.session, row.work_id)
        current = (await versions.segments_of(u.session, [row]))[row.id]
        number = max((v.number for v in found), default=1) + 1
        proposal = decide(repo.to_licence(row), current, owners, number, pending)
        now = utc_now()
        added = versions.add_version(u.session, proposal, now)
        u.emit(
            outgoing.version_event(
                events.LicenceAmendmentProposed, repo.to_licence(row),
                version_payload(proposal), owners=owners, actor=caller.party_id, now=now,
            )
        )  # fmt: skip
        return added


async def propose_amendment(
    *, uow: UnitOfWorkFactory, caller: Caller, licence_id: UUID, command: ProposeAmendment
) -> LicenceVersionRow:
    return await _propose(
        uow, caller, licence_id,
        lambda licence, current, owners, number, pending: amendments.propose_amendment(
            licence, current, actor=caller.party_id, owners=owners, number=number,
            pending=pending, terms=command.terms,
        ),
    )  # fmt: skip


async def propose_renewal(
    *, uow: UnitOfWorkFactory, caller: Caller, licence_id: UUID, command: RenewLicence
) -> LicenceVersionRow:
    return await _propose(
        uow, caller, licence_id,
        lambda licence, current, owners, number, pending: amendments.propose_renewal(
            licence, current, actor=caller.party_id, owners=owners, number=number,
            pending=pending, end=command.end,
        ),
    )  # fmt: skip


async def _answered(
    u: UnitOfWork, caller: Caller, licence_id: UUID, number: int
) -> tuple[LicenceRow, LicenceVersionRow, set[UUID]]:
    """The licence and the version answered, locked: work row first, then licence, then
    version (the lock order every licence command keeps)."""
    row = await visible_licence(u.session, caller, licence_id)
    work = await repo.work_view(u.session, row.work_id, for_update=True)
    if work is None:  # pragma: no cover - a licence needs a known work
        raise UnknownWork(f"no work {row.work_id} in the register", field="work_id")
    row = await visible_licence(u.session, caller, licence_id, for_update=True)
    version = await versions.get_version(u.session, licence_id, number, for_update=True)
    if version is None or version.kind == ProposalKind.ORIGINAL.value:
        raise UnknownAmendment(f"licence {licence_id} has no version {number}", field="version")
    return row, version, set(work.owners)


async def accept_amendment(
    *, uow: UnitOfWorkFactory, caller: Caller, licence_id: UUID, number: int
) -> LicenceRow:
    """The other side accepts; availability is re-checked for what the change adds only,
    under the work's row lock, against the work's other ACTIVE licences."""
    async with uow() as u:
        row, version, owners = await _answered(u, caller, licence_id, number)
        licence = repo.to_licence(row)
        accepted = amendments.accept(
            versions.to_proposal(version), licence, actor=caller.party_id, owners=owners
        )
        old = (await versions.segments_of(u.session, [row]))[row.id]
        agreed = [
            versions.to_proposal(r).terms
            for r in (await versions.versions_of(u.session, [row.id]))[row.id]
            if r.state == ProposalState.ACCEPTED.value
        ]
        new = segments([*agreed, accepted.terms])
        holdings = await repo.active_holdings(u.session, row.work_id, excluding=row.id)
        conflicts = {
            (c.licence_id, c.territories, c.media, c.period): c
            for footprint in amendments.added_footprints(old, new)
            for c in find_conflicts(footprint, holdings)
        }
        if conflicts:
            raise LicenceConflict(list(conflicts.values()), field="territories")
        now = utc_now()
        versions.save_answer(version, accepted, now)
        changed = amendments.amended(licence, new)
        save_terms(row, changed, number, now)
        await versions.record(u.session, row, new, now)
        event = (
            events.LicenceRenewed if accepted.kind == ProposalKind.RENEWAL
            else events.LicenceAmended
        )  # fmt: skip
        u.emit(
            outgoing.version_event(
                event, changed, version_payload(accepted), owners=owners,
                actor=caller.party_id, now=now,
            )
        )  # fmt: skip
        return row


def save_terms(row: LicenceRow, licence: Licence, number: int, now: datetime) -> None:
    """The licence table keeps the latest terms and the licence's end (DOMAIN.md)."""
    terms = licence.terms
    row.territories = list(terms.territories)
    row.media = [m.value for m in terms.media]
    row.exclusive = terms.exclusive
    row.royalty_rate = terms.royalty_rate
    row.end = terms.period.end
    row.terms_version = number
    row.updated_at = now


async def decline_amendment(
    *, uow: UnitOfWorkFactory, caller: Caller, licence_id: UUID, number: int
) -> LicenceVersionRow:
    async with uow() as u:
        row, version, owners = await _answered(u, caller, licence_id, number)
        licence = repo.to_licence(row)
        declined = amendments.decline(
            versions.to_proposal(version), licence, actor=caller.party_id, owners=owners
        )
        now = utc_now()
        versions.save_answer(version, declined, now)
        u.emit(
            outgoing.version_event(
                events.LicenceAmendmentDeclined, licence, version_payload(declined),
                owners=owners, actor=caller.party_id, now=now,
            )
        )  # fmt: skip
        return version
