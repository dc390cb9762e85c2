"""The filing service's use cases: one function per command, each one transaction that
saves the new state, its history and its outgoing events together; and the queries."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from contracts.enums import WorkKind, WorkStatus
from contracts.errors import InvalidInput, NotAllowed
from contracts.identifiers import parse_isbn13, parse_isrc, parse_iswc
from runtime.auth import Principal
from runtime.db import SessionMaker, transaction
from runtime.outbox import outbox_rows, stage
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from filing import events
from filing import repository as repo
from filing.domain import disputes as dispute_rules
from filing.domain import parties as party_rules
from filing.domain import works as work_rules
from filing.domain.errors import (
    ExaminerOnly,
    IdentifierTaken,
    PartyNotFound,
    UnknownParty,
    WorkNotFound,
)
from filing.domain.examination import apply_examination, examine
from filing.domain.holders import (
    RightsHolder,
    ensure_known_parties,
    parse_party_id,
    parse_rights_holders,
)
from filing.domain.numbering import NumberKind, format_number
from filing.domain.parties import Party
from filing.domain.text import parse_enum
from filing.domain.titles import title_key
from filing.domain.works import Change, Work
from filing.repository import HistoryEntry, Page, WorkFilter

PAGE_MAX = 100


def _now() -> datetime:
    return datetime.now(UTC)


def caller_party_id(principal: Principal) -> UUID | None:
    """The caller's party id, or None when the token's subject is not a party id."""
    try:
        return UUID(principal.party_id)
    except ValueError:
        return None


def _require_party_caller(principal: Principal) -> UUID:
    caller = caller_party_id(principal)
    if caller is None:
        raise NotAllowed("this needs a party's token", field="Authorization")
    return caller


def _require_examiner(principal: Principal) -> UUID | None:
    if not principal.is_examiner:
        raise ExaminerOnly("only an examiner may decide this", field="Authorization")
    return caller_party_id(principal)


async def _record(session: AsyncSession, work: Work, change: Change, version: int) -> None:
    """The history row and outbox event of one saved change, in the caller's transaction."""
    await repo.add_history(session, work.id, change)
    await stage(session, [events.work_event(work, change, version=version)])


# --- parties -------------------------------------------------------------------------------


async def register_party(
    *,
    sessions: SessionMaker,
    principal: Principal,
    party_id: UUID,
    name: Any,
    kind: Any,
    country: Any,
    ipi_name_number: Any = None,
    isni: Any = None,
) -> tuple[Party, bool]:
    """Signs a party up under its own id; the same id again answers the stored party.

    Returns the party and whether this call created it.
    """
    party_rules.ensure_self(_require_party_caller(principal), party_id)
    party = party_rules.register_party(
        party_id=party_id,
        name=name,
        kind=kind,
        country=country,
        ipi_name_number=ipi_name_number,
        isni=isni,
        now=_now(),
    )
    async with transaction(sessions) as session:
        if not await repo.insert_party_if_absent(session, party):
            stored = await repo.get_party(session, party_id)
            assert stored is not None
            return stored, False
        await stage(session, [events.party_registered(party, version=1)])
    return party, True


async def update_party(
    *, sessions: SessionMaker, principal: Principal, party_id: UUID, changes: dict[str, Any]
) -> Party:
    """Changes the public fields given in `changes`; `party.updated` only if one changed."""
    party_rules.ensure_self(_require_party_caller(principal), party_id)
    async with transaction(sessions) as session:
        party = await repo.get_party(session, party_id, for_update=True)
        if party is None:
            raise PartyNotFound(f"no party {party_id}", field="party_id")
        updated, changed = party_rules.update_party(party, changes, now=_now())
        if changed:
            version = await repo.save_party(session, updated)
            await stage(session, [events.party_updated(updated, changed, version=version)])
    return updated


# --- works: filing and examination -----------------------------------------------------------


async def file_work(
    *,
    sessions: SessionMaker,
    principal: Principal,
    title: Any,
    kind: Any,
    country_of_origin: Any,
    rights_holders: Any,
    alternate_titles: Any = None,
    identifiers: Any = None,
) -> Work:
    """Files a work and examines it at once; answers the work in its examined status.

    Emits `work.filed` then the outcome (`work.registered`, `work.rejected` or
    `work.review_requested`), both in the filing's transaction.
    """
    filer = _require_party_caller(principal)
    holders = parse_rights_holders(rights_holders)
    draft = work_rules.draft_work(
        title=title,
        kind=kind,
        country_of_origin=country_of_origin,
        rights_holders=holders,
        filed_by=filer,
        alternate_titles=alternate_titles,
        identifiers=identifiers,
    )
    key = title_key(draft.title)
    try:
        async with transaction(sessions) as session:
            ensure_known_parties(holders, await repo.known_party_ids(session, _ids(holders)))
            await repo.lock_examination_keys(session, repo.examination_keys(draft.identifiers, key))
            candidates = await repo.examination_candidates(
                session, draft.identifiers, key, _ids(holders)
            )
            # Everything that does not need the numbers happens first, with stand-ins for
            # them; the numbers are taken last, in the statement that writes them (the
            # counter rows are the hottest locks of the service), and COMMIT follows.
            now = _now()
            placeholders = _placeholders(now.year)
            filed, filed_change = work_rules.file_work(
                draft, work_id=uuid4(), filing_number=placeholders.filing, now=now
            )
            outcome = examine(filed, candidates)
            registration = None
            if outcome.status == WorkStatus.REGISTERED:
                registration = placeholders.registration
            examined, examined_change = apply_examination(
                filed, outcome, now=now, registration_number=registration
            )
            changes = [(filed, filed_change), (examined, examined_change)]
            numbers = await repo.insert_filed_work(
                session,
                year=now.year,
                work=examined,
                changes=[change for _, change in changes],
                outbox=outbox_rows(
                    [
                        events.work_event(w, c, version=version)
                        for version, (w, c) in enumerate(changes, start=1)
                    ]
                ),
                placeholders=placeholders,
            )
    except IntegrityError as exc:
        if "_holding" in str(exc.orig):
            raise IdentifierTaken(
                "an identifier of this work is held by another work", field="identifiers"
            ) from None
        raise
    return _with_numbers(examined, placeholders, numbers)


def _placeholders(year: int) -> repo.NumberPlaceholders:
    """Random stand-ins shaped like numbers of `year` (30 random digits: no clash)."""
    return repo.NumberPlaceholders(
        filing=format_number(NumberKind.FILING, year, 10**30 + secrets.randbelow(10**30)),
        registration=format_number(
            NumberKind.REGISTRATION, year, 10**30 + secrets.randbelow(10**30)
        ),
    )


def _fill(
    value: str | None, placeholders: repo.NumberPlaceholders, numbers: repo.FilingNumbers
) -> str | None:
    if value is None:
        return None
    value = value.replace(placeholders.filing, numbers.filing)
    if numbers.registration is not None:
        value = value.replace(placeholders.registration, numbers.registration)
    return value


def _with_numbers(
    work: Work, placeholders: repo.NumberPlaceholders, numbers: repo.FilingNumbers
) -> Work:
    """The work as stored: its stand-ins replaced by the numbers it was given."""
    return replace(
        work,
        filing_number=numbers.filing,
        registration_number=numbers.registration,
        status_reason=_fill(work.status_reason, placeholders, numbers),
    )


def _ids(holders: Sequence[RightsHolder]) -> list[UUID]:
    return [h.party_id for h in holders]


async def _registration_number(session: AsyncSession, now: datetime) -> str:
    sequence = await repo.next_number(session, NumberKind.REGISTRATION, now.year)
    return format_number(NumberKind.REGISTRATION, now.year, sequence)


async def _load_for_change(session: AsyncSession, work_id: UUID) -> Work:
    work = await repo.get_work(session, work_id, for_update=True)
    if work is None:
        raise WorkNotFound(f"no work {work_id}", field="work_id")
    return work


# --- works: examiners' decisions, transfers, disputes ----------------------------------------


async def review_work(
    *, sessions: SessionMaker, principal: Principal, work_id: UUID, decision: Any, reason: Any
) -> Work:
    """An examiner registers or rejects a work under review."""
    examiner = _require_examiner(principal)
    async with transaction(sessions) as session:
        work = await _load_for_change(session, work_id)
        _, target, _ = work_rules.review_target(work, decision, reason)
        now = _now()
        number = None
        if work_rules.needs_registration_number(work, target):
            number = await _registration_number(session, now)
        new, change = work_rules.decide_review(
            work,
            decision=decision,
            reason=reason,
            examiner_id=examiner,
            now=now,
            registration_number=number,
        )
        version = await repo.save_work(session, new, holders_changed=False)
        await _record(session, new, change, version)
    return new


async def transfer_share(
    *,
    sessions: SessionMaker,
    principal: Principal,
    work_id: UUID,
    to_party_id: Any,
    share: Any,
    role: Any = None,
) -> Work:
    """An owner moves all or part of its share of a registered work to another party."""
    owner = _require_party_caller(principal)
    receiver = parse_party_id(to_party_id, field="to_party_id")
    async with transaction(sessions) as session:
        work = await _load_for_change(session, work_id)
        new, change = work_rules.transfer_share(
            work, from_party_id=owner, to_party_id=receiver, share=share, role=role, now=_now()
        )
        if receiver not in await repo.known_party_ids(session, [receiver]):
            raise UnknownParty(f"party {receiver} is not registered", field="to_party_id")
        version = await repo.save_work(session, new, holders_changed=True)
        await _record(session, new, change, version)
    return new


async def dispute_work(
    *,
    sessions: SessionMaker,
    principal: Principal,
    work_id: UUID,
    reason: Any,
    claimed_role: Any = None,
    claimed_share: Any = None,
    evidence: Any = None,
    evidence_min: int = dispute_rules.EVIDENCE_MIN_DEFAULT,
    daily_limit: int = dispute_rules.DISPUTES_PER_DAY_DEFAULT,
) -> Work:
    """A party that does not own a registered work disputes it, stating its standing.

    Parties other than examiners open at most `daily_limit` disputes per UTC day of the
    database; the count and this dispute's row share one transaction under the party's lock.
    """
    party = _require_party_caller(principal)
    work_rules.dispute_reason(reason)
    standing = dispute_rules.parse_standing(
        claimed_role=claimed_role,
        claimed_share=claimed_share,
        evidence=evidence,
        evidence_min=evidence_min,
    )
    async with transaction(sessions) as session:
        work = await _load_for_change(session, work_id)
        new, change = work_rules.dispute_work(
            work, reason=reason, standing=standing, disputed_by=party, now=_now()
        )
        if not principal.is_examiner:
            opened = await repo.lock_and_count_disputes_today(session, party)
            dispute_rules.ensure_under_daily_limit(opened, limit=daily_limit)
            await repo.record_dispute_opening(session, party, work.id)
        version = await repo.save_work(session, new, holders_changed=False)
        await _record(session, new, change, version)
    return new


async def resolve_dispute(
    *,
    sessions: SessionMaker,
    principal: Principal,
    work_id: UUID,
    keep_owners: Any,
    reason: Any,
    rights_holders: Any = None,
) -> Work:
    """An examiner ends a dispute, keeping the owners or replacing the rights holders."""
    examiner = _require_examiner(principal)
    holders = None if not rights_holders else parse_rights_holders(rights_holders)
    async with transaction(sessions) as session:
        work = await _load_for_change(session, work_id)
        new, change = work_rules.resolve_dispute(
            work,
            keep_owners=keep_owners,
            rights_holders=holders,
            reason=reason,
            examiner_id=examiner,
            now=_now(),
        )
        if holders is not None:
            ensure_known_parties(holders, await repo.known_party_ids(session, _ids(holders)))
        version = await repo.save_work(session, new, holders_changed=holders is not None)
        await _record(session, new, change, version)
    return new


# --- queries -------------------------------------------------------------------------------


async def get_party(*, sessions: SessionMaker, party_id: UUID) -> Party:
    async with sessions() as session:
        party = await repo.get_party(session, party_id)
    if party is None:
        raise PartyNotFound(f"no party {party_id}", field="party_id")
    return party


async def get_parties(*, sessions: SessionMaker, ids: Sequence[UUID]) -> list[Party]:
    async with sessions() as session:
        return await repo.get_parties(session, ids)


async def get_work(*, sessions: SessionMaker, work_id: UUID) -> Work:
    async with sessions() as session:
        work = await repo.get_work(session, work_id)
    if work is None:
        raise WorkNotFound(f"no work {work_id}", field="work_id")
    return work


async def get_works(*, sessions: SessionMaker, ids: Sequence[UUID]) -> list[Work]:
    async with sessions() as session:
        return await repo.get_works(session, ids)


def _first(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= PAGE_MAX:
        raise InvalidInput(f"first must be between 1 and {PAGE_MAX}", field="first")
    return value


def _identifier(value: str | None, parser: Any, field: str) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > 32:
        raise InvalidInput(f"{field} is too long", field=field)
    parsed: str = parser(value, field=field)
    return parsed


async def search_works(
    *,
    sessions: SessionMaker,
    text: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    holder_id: str | None = None,
    iswc: str | None = None,
    isrc: str | None = None,
    isbn: str | None = None,
    first: int = 20,
    after: str | None = None,
) -> Page:
    """A page of the register matching every given filter, newest filing first."""
    if text is not None and len(text) > 300:
        raise InvalidInput("text is longer than 300 characters", field="text")
    folded = title_key(text) if text else None
    filters = WorkFilter(
        text=folded or None,
        status=None if not status else parse_enum(WorkStatus, status, field="status"),
        kind=None if not kind else parse_enum(WorkKind, kind, field="kind"),
        holder_id=None if not holder_id else parse_party_id(holder_id, field="holder_id"),
        iswc=_identifier(iswc, parse_iswc, "iswc"),
        isrc=_identifier(isrc, parse_isrc, "isrc"),
        isbn=_identifier(isbn, parse_isbn13, "isbn"),
    )
    async with sessions() as session:
        return await repo.search_works(session, filters, first=_first(first), after=after or None)


async def work_history(*, sessions: SessionMaker, work_id: UUID) -> list[HistoryEntry]:
    async with sessions() as session:
        if await repo.get_work(session, work_id) is None:
            raise WorkNotFound(f"no work {work_id}", field="work_id")
        return (await repo.histories(session, [work_id])).get(work_id, [])


async def histories(
    *, sessions: SessionMaker, work_ids: Sequence[UUID]
) -> dict[UUID, list[HistoryEntry]]:
    async with sessions() as session:
        return await repo.histories(session, work_ids)
