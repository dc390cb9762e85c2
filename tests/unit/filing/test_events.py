"""Each change of the register becomes the one contract event of its type, with the work's
new state and no private detail; cursors of register pages are opaque and checked."""

from __future__ import annotations

import json
from decimal import Decimal
from uuid import uuid4

import contracts.events as contract
import pytest
from contracts.enums import PartyKind, ReviewDecision, Role, WorkStatus
from contracts.envelope import decode, encode
from contracts.errors import InvalidInput
from filing.domain.disputes import Standing
from filing.domain.examination import ExistingWork, apply_examination, examine
from filing.domain.holders import RightsHolder
from filing.domain.parties import register_party
from filing.domain.works import (
    Identifiers,
    decide_review,
    dispute_work,
    resolve_dispute,
    transfer_share,
)
from filing.events import party_registered, work_event
from filing.views import decode_cursor, encode_cursor
from runtime.cursors import encode_cursor as encode_parts

ALICE, BOB = uuid4(), uuid4()
HOLDERS = (
    RightsHolder(ALICE, Role.COMPOSER, Decimal("60.00")),
    RightsHolder(BOB, Role.LYRICIST, Decimal("40.00")),
)


def test_party_event_carries_public_part_only(now):
    party = register_party(
        party_id=ALICE,
        name="Alice",
        kind=PartyKind.PERSON,
        country="TH",
        isni="000000012281955X",
        now=now,
    )
    event = party_registered(party)
    record = encode(event)
    assert record.key == str(ALICE).encode()
    payload = json.loads(record.value)
    assert set(payload["party"]) == {"id", "name", "kind", "country", "ipi_name_number", "isni"}


def test_examination_outcomes_map_to_their_events(make_work, now):
    filed = make_work(rights_holders=HOLDERS, filed_by=ALICE)
    registered, change = apply_examination(
        filed, examine(filed, []), now=now, registration_number="R-2026-000001"
    )
    assert isinstance(work_event(registered, change), contract.WorkRegistered)

    clash = make_work(
        rights_holders=HOLDERS, filed_by=ALICE, identifiers=Identifiers(iswc="T-034.524.680-1")
    )
    other = ExistingWork(
        uuid4(), "F-2026-000009", "x", WorkStatus.REGISTERED, clash.identifiers, frozenset()
    )
    rejected, change = apply_examination(clash, examine(clash, [other]), now=now)
    event = work_event(rejected, change)
    assert isinstance(event, contract.WorkRejected)
    assert event.conflicting_work_id == other.id

    duplicate = ExistingWork(
        uuid4(),
        "F-2026-000010",
        filed.title,
        WorkStatus.REGISTERED,
        Identifiers(),
        frozenset({ALICE}),
    )
    held, change = apply_examination(filed, examine(filed, [duplicate]), now=now)
    review = work_event(held, change)
    assert isinstance(review, contract.WorkReviewRequested)
    assert review.similar_work_ids == [duplicate.id]
    assert review.actor_id is None


def test_commands_map_to_their_events_with_shares_as_strings(make_work, now):
    work = make_work(status=WorkStatus.REGISTERED, rights_holders=HOLDERS, filed_by=ALICE)
    carol = uuid4()
    moved, change = transfer_share(
        work, from_party_id=ALICE, to_party_id=carol, share=Decimal("10.50"), now=now
    )
    event = work_event(moved, change)
    assert isinstance(event, contract.WorkOwnershipTransferred)
    payload = json.loads(encode(event).value)
    assert payload["share"] == "10.50"
    assert [h["share"] for h in payload["work"]["rights_holders"]] == ["49.50", "40.00", "10.50"]

    # carol now owns part of the work, so a non-owner disputes it, claiming a share.
    claim = Standing(claimed_role=Role.ARRANGER, claimed_share=Decimal("12.50"))
    disputed, change = dispute_work(
        moved, reason="mine", standing=claim, disputed_by=uuid4(), now=now
    )
    dispute_event = work_event(disputed, change)
    assert isinstance(dispute_event, contract.WorkDisputed)
    assert (dispute_event.claimed_role, dispute_event.claimed_share) == (
        Role.ARRANGER,
        Decimal("12.50"),
    )
    assert json.loads(encode(dispute_event).value)["claimed_share"] == "12.50"
    resolved, change = resolve_dispute(
        disputed, keep_owners=True, rights_holders=None, reason="no", examiner_id=None, now=now
    )
    resolution = work_event(resolved, change)
    assert isinstance(resolution, contract.WorkDisputeResolved) and resolution.keep_owners
    record = encode(resolution)
    assert decode(record.value, record.headers, key=record.key).data == resolution


def test_review_decision_maps_to_registered_event(make_work, now):
    work = make_work(status=WorkStatus.UNDER_REVIEW, rights_holders=HOLDERS, filed_by=ALICE)
    examiner = uuid4()
    new, change = decide_review(
        work,
        decision=ReviewDecision.REGISTER,
        reason="fine",
        examiner_id=examiner,
        now=now,
        registration_number="R-2026-000002",
    )
    event = work_event(new, change)
    assert isinstance(event, contract.WorkRegistered) and event.actor_id == examiner


def test_cursor_round_trips():
    assert decode_cursor(encode_cursor(2, 12345)) == (2, 12345)


@pytest.mark.parametrize(
    "cursor", ["", "garbage", encode_cursor(0, 1)[:-2] + "!!", "eyJzIjogLTF9", encode_parts(1)]
)
def test_forged_cursor_is_refused_naming_after(cursor):
    with pytest.raises(InvalidInput) as caught:
        decode_cursor(cursor)
    assert caught.value.field == "after"
