"""Works: filing requests, the lifecycle state machine, reviews, transfers and disputes."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from contracts.enums import ReviewDecision, Role, WorkKind, WorkStatus
from contracts.errors import Conflict, IllegalTransition, InvalidInput, NotAllowed
from filing.commands import DisputeWork, FileWork, ResolveDispute, ReviewWork, parse
from filing.domain.disputes import Standing
from filing.domain.errors import FilerNotHolder, IdentifierNotForKind, WorkDisputed
from filing.domain.holders import RightsHolder
from filing.domain.text import TITLE_MAX, required_text
from filing.domain.works import (
    TRANSITIONS,
    Change,
    Work,
    WorkAction,
    check_recorded_work,
    check_transition,
    decide_review,
    dispute_work,
    file_work,
    resolve_dispute,
    transfer_share,
)

ALICE, BOB = uuid4(), uuid4()
HOLDERS = (
    RightsHolder(ALICE, Role.COMPOSER, Decimal("70.00")),
    RightsHolder(BOB, Role.LYRICIST, Decimal("30.00")),
)
CLAIM = Standing(claimed_role=Role.COMPOSER, claimed_share=Decimal("50.00"))


def _draft(filed_by: UUID = ALICE, **overrides: object):
    """The draft of a filing request, parsed at the edge as the API parses it."""
    fields: dict[str, object] = dict(
        title="Moonlight Over Mekong",
        kind="MUSICAL_WORK",
        country_of_origin="th",
        rights_holders=[
            {"party_id": str(h.party_id), "role": h.role.value, "share": str(h.share)}
            for h in HOLDERS
        ],
        alternate_titles=["แสงจันทร์เหนือโขง"],
        identifiers={"iswc": "T0345246801"},
    )
    fields.update(overrides)
    return parse(FileWork, fields).draft(filed_by=filed_by)


def test_draft_normalises_identifier_and_country():
    draft = _draft()
    assert draft.identifiers.iswc == "T-034.524.680-1"
    assert draft.country_of_origin == "TH"
    assert draft.kind == WorkKind.MUSICAL_WORK


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "  "}, "title"),
        ({"title": None}, "title"),
        ({"title": "x" * (TITLE_MAX + 1)}, "title"),
        ({"kind": "PAINTING"}, "kind"),
        ({"country_of_origin": "ZZ"}, "country_of_origin"),
        ({"identifiers": {"iswc": "T-034.524.680-2"}}, "identifiers.iswc"),
        ({"identifiers": {"iswc": "T-034.524.680"}}, "identifiers.iswc"),
        ({"identifiers": {"ismn": "M-2306-7118-7"}}, "identifiers.ismn"),
        ({"identifiers": "T0345246801"}, "identifiers"),
        ({"alternate_titles": [""]}, "alternate_titles[0]"),
        ({"alternate_titles": "one"}, "alternate_titles"),
        ({"alternate_titles": ["a"] * 21}, "alternate_titles"),
    ],
)
def test_bad_filing_request_is_rejected_naming_the_field(overrides, field):
    with pytest.raises(InvalidInput) as caught:
        _draft(**overrides)
    assert caught.value.field == field


def test_wrong_isbn_check_digit_is_rejected_naming_the_field():
    with pytest.raises(InvalidInput) as caught:
        _draft(kind="LITERARY", identifiers={"isbn": "9780306406158"})
    assert caught.value.field == "identifiers.isbn"


def test_valid_isbn_and_isrc_are_normalised():
    assert _draft(kind="LITERARY", identifiers={"isbn": "978-0-306-40615-7"}).identifiers.isbn == (
        "9780306406157"
    )
    recording = _draft(kind="SOUND_RECORDING", identifiers={"isrc": "th-a12-26-00001"})
    assert recording.identifiers.isrc == "THA122600001"


def test_identifier_of_another_kind_of_work_is_rejected():
    with pytest.raises(IdentifierNotForKind) as caught:
        _draft(kind="LITERARY", identifiers={"iswc": "T0345246801"})
    assert caught.value.field == "identifiers.iswc"


def test_filer_must_be_a_rights_holder():
    with pytest.raises(FilerNotHolder):
        _draft(filed_by=uuid4())


def test_new_filing_is_filed_with_its_number(now):
    work, change = file_work(_draft(), work_id=uuid4(), filing_number="F-2026-000007", now=now)
    assert work.status == WorkStatus.FILED
    assert work.filing_number == "F-2026-000007"
    assert work.registration_number is None
    assert change.action == WorkAction.FILED and change.actor_id == ALICE


ALLOWED = {
    (WorkStatus.FILED, WorkStatus.REGISTERED),
    (WorkStatus.FILED, WorkStatus.REJECTED),
    (WorkStatus.FILED, WorkStatus.UNDER_REVIEW),
    (WorkStatus.FILED, WorkStatus.AWAITING_CONSENT),
    (WorkStatus.AWAITING_CONSENT, WorkStatus.REGISTERED),
    (WorkStatus.AWAITING_CONSENT, WorkStatus.REJECTED),
    (WorkStatus.AWAITING_CONSENT, WorkStatus.UNDER_REVIEW),
    (WorkStatus.AWAITING_CONSENT, WorkStatus.RETURNED),
    (WorkStatus.UNDER_REVIEW, WorkStatus.REGISTERED),
    (WorkStatus.UNDER_REVIEW, WorkStatus.REJECTED),
    (WorkStatus.REGISTERED, WorkStatus.DISPUTED),
    (WorkStatus.DISPUTED, WorkStatus.REGISTERED),
}


def test_lifecycle_has_exactly_the_specified_transitions():
    table = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert table == ALLOWED


@pytest.mark.parametrize(
    ("current", "target"),
    [pair for pair in itertools.product(WorkStatus, WorkStatus) if pair not in ALLOWED],
)
def test_illegal_transition_is_a_typed_error(current, target):
    with pytest.raises(IllegalTransition) as caught:
        check_transition(current, target)
    assert caught.value.field == "status"


def test_examiner_registers_work_under_review(make_work, now):
    work = make_work(status=WorkStatus.UNDER_REVIEW)
    examiner = uuid4()
    new, change = decide_review(
        work,
        decision=ReviewDecision.REGISTER,
        reason=None,
        examiner_id=examiner,
        now=now,
        registration_number="R-2026-000009",
    )
    assert new.status == WorkStatus.REGISTERED
    assert new.registration_number == "R-2026-000009"
    assert change.action == WorkAction.REGISTERED
    assert change.actor_id == examiner and change.decision == ReviewDecision.REGISTER


def test_examiner_rejects_work_under_review_with_reason(make_work, now):
    work = make_work(status=WorkStatus.UNDER_REVIEW)
    new, change = decide_review(
        work, decision=ReviewDecision.REJECT, reason="same as F-2026-000001", examiner_id=uuid4(), now=now
    )
    assert new.status == WorkStatus.REJECTED
    assert new.status_reason == "same as F-2026-000001"
    assert new.registration_number is None
    assert change.action == WorkAction.REJECTED


def test_rejecting_on_review_needs_a_reason(make_work, now):
    with pytest.raises(InvalidInput) as caught:
        decide_review(
            make_work(status=WorkStatus.UNDER_REVIEW),
            decision=ReviewDecision.REJECT,
            reason=None,
            examiner_id=uuid4(),
            now=now,
        )
    assert caught.value.field == "reason"


def test_unknown_review_decision_is_rejected():
    with pytest.raises(InvalidInput) as caught:
        parse(ReviewWork, {"decision": "MAYBE", "reason": "x"})
    assert caught.value.field == "decision"


def test_owner_transfers_part_of_registered_work(make_work, now):
    work = make_work(status=WorkStatus.REGISTERED, rights_holders=HOLDERS, filed_by=ALICE)
    carol = uuid4()
    new, change = transfer_share(
        work, from_party_id=ALICE, to_party_id=carol, share=Decimal("20.00"), now=now
    )
    assert sum(h.share for h in new.rights_holders) == Decimal("100.00")
    assert RightsHolder(carol, Role.COMPOSER, Decimal("20.00")) in new.rights_holders
    assert change.action == WorkAction.OWNERSHIP_TRANSFERRED
    assert change.previous_holders == HOLDERS
    assert new.status == WorkStatus.REGISTERED


def test_any_party_disputes_registered_work_with_reason(make_work, now):
    stranger = uuid4()
    new, change = dispute_work(
        make_work(status=WorkStatus.REGISTERED), reason="I wrote it", standing=CLAIM,
        disputed_by=stranger, now=now
    )
    assert new.status == WorkStatus.DISPUTED
    assert new.status_reason == "I wrote it"
    assert change.actor_id == stranger and change.action == WorkAction.DISPUTED


def test_dispute_needs_a_reason():
    with pytest.raises(InvalidInput) as caught:
        parse(DisputeWork, {"reason": " ", "claimed_role": "COMPOSER", "claimed_share": "50.00"})
    assert caught.value.field == "reason"


def test_dispute_resolution_keeping_owners_registers_again(make_work, now):
    work = make_work(status=WorkStatus.DISPUTED, rights_holders=HOLDERS)
    new, change = _resolve(work, now, reason="claim unfounded")
    assert new.status == WorkStatus.REGISTERED
    assert new.rights_holders == HOLDERS
    assert new.registration_number == work.registration_number
    assert change.action == WorkAction.DISPUTE_RESOLVED and change.previous_holders is None


def test_dispute_resolution_replacing_holders(make_work, now):
    work = make_work(status=WorkStatus.DISPUTED, rights_holders=HOLDERS)
    carol = uuid4()
    replacement = (RightsHolder(carol, Role.COMPOSER, Decimal("100.00")),)
    new, change = _resolve(
        work, now, keep_owners=False, rights_holders=replacement, reason="carol proved it"
    )
    assert new.rights_holders == replacement
    assert change.previous_holders == HOLDERS


def test_dispute_resolution_needs_holders_when_owners_are_not_kept(make_work, now):
    with pytest.raises(InvalidInput) as caught:
        _resolve(make_work(status=WorkStatus.DISPUTED), now, keep_owners=False)
    assert caught.value.field == "rights_holders"


def test_dispute_resolution_needs_a_reason():
    with pytest.raises(InvalidInput) as caught:
        parse(ResolveDispute, {"keep_owners": True, "reason": None})
    assert caught.value.field == "reason"


# --- refusals: each command on a work in a state or by a party it does not allow -------------


def _review(work: Work, now: datetime) -> tuple[Work, Change]:
    return decide_review(
        work,
        decision=ReviewDecision.REGISTER,
        reason=None,
        examiner_id=uuid4(),
        now=now,
        registration_number="R-2026-000002",
    )


def _transfer(by: UUID, to: UUID) -> Callable[[Work, datetime], tuple[Work, Change]]:
    def transfer(work: Work, now: datetime) -> tuple[Work, Change]:
        return transfer_share(
            work, from_party_id=by, to_party_id=to, share=Decimal("1.00"), now=now
        )

    return transfer


def _dispute(work: Work, now: datetime) -> tuple[Work, Change]:
    # Disputed by a party that holds no share of it, so only the work's state can refuse it.
    return dispute_work(work, reason="mine", standing=CLAIM, disputed_by=uuid4(), now=now)


def _resolve(
    work: Work,
    now: datetime,
    *,
    keep_owners: bool = True,
    rights_holders: tuple[RightsHolder, ...] | None = None,
    reason: str = "x",
) -> tuple[Work, Change]:
    return resolve_dispute(
        work,
        keep_owners=keep_owners,
        rights_holders=rights_holders,
        reason=reason,
        examiner_id=uuid4(),
        now=now,
    )


FILED, UNDER_REVIEW, REGISTERED, REJECTED, DISPUTED = (
    WorkStatus.FILED,
    WorkStatus.UNDER_REVIEW,
    WorkStatus.REGISTERED,
    WorkStatus.REJECTED,
    WorkStatus.DISPUTED,
)
REFUSALS = [
    # Only a work under review can be reviewed.
    *((_review, status, IllegalTransition) for status in (FILED, REGISTERED, REJECTED, DISPUTED)),
    # Only a registered work's shares move, never while disputed, and only by an owner.
    (_transfer(ALICE, uuid4()), DISPUTED, WorkDisputed),
    *((_transfer(ALICE, uuid4()), status, Conflict) for status in (FILED, UNDER_REVIEW, REJECTED)),
    (_transfer(uuid4(), BOB), REGISTERED, NotAllowed),
    # Only a registered work can be disputed.
    *((_dispute, status, IllegalTransition) for status in (FILED, UNDER_REVIEW, REJECTED, DISPUTED)),
    # Only a disputed work can have its dispute resolved.
    (_resolve, REGISTERED, IllegalTransition),
]


@pytest.mark.parametrize(("command", "status", "refusal"), REFUSALS)
def test_a_refused_command_raises_its_typed_error(make_work, now, command, status, refusal):
    # Alice and Bob own the work, as the transfers need; the other commands ignore who owns it.
    work = make_work(status=status, rights_holders=HOLDERS, filed_by=ALICE)
    with pytest.raises(refusal):
        command(work, now)


@pytest.mark.parametrize("field", ["title", "reason"])
def test_a_lone_surrogate_is_refused_as_text_naming_the_field(field: str) -> None:
    # JSON may escape one ("\udc80") and an imported file's stray bytes decode to one; neither
    # is text PostgreSQL could store.
    with pytest.raises(InvalidInput) as caught:
        required_text("Caf\udce9", field=field, max_length=TITLE_MAX)
    assert caught.value.field == field
    assert "UTF-8" in str(caught.value)


# --- recordings of musical works (DOMAIN.md, "Recordings of musical works") ----------------


def _recording(**overrides: object):
    return _draft(kind="SOUND_RECORDING", identifiers={"isrc": "VN-A12-26-00001"}, **overrides)


def test_a_sound_recording_names_the_musical_work_it_records():
    musical = uuid4()
    assert _recording(recording_of=str(musical)).recording_of == musical
    assert _recording().recording_of is None


@pytest.mark.parametrize("value", ["not-a-uuid", 12, ""])
def test_recording_of_must_be_a_work_id(value: object):
    with pytest.raises(InvalidInput) as error:
        _recording(recording_of=value)
    assert error.value.field == "recording_of"


def test_only_a_sound_recording_names_a_recorded_work():
    with pytest.raises(InvalidInput) as error:
        _draft(recording_of=str(uuid4()))
    assert error.value.field == "recording_of"
    assert "MUSICAL_WORK" in error.value.message


@pytest.mark.parametrize(
    ("recorded", "why"),
    [
        (None, "no work"),
        ((WorkKind.LITERARY, WorkStatus.REGISTERED), "LITERARY"),
        ((WorkKind.SOUND_RECORDING, WorkStatus.REGISTERED), "SOUND_RECORDING"),
        ((WorkKind.MUSICAL_WORK, WorkStatus.REJECTED), "rejected"),
    ],
)
def test_the_recorded_work_must_be_a_musical_work_not_rejected(recorded, why):
    with pytest.raises(InvalidInput) as error:
        check_recorded_work(uuid4(), recorded)
    assert error.value.field == "recording_of"
    assert why in error.value.message


@pytest.mark.parametrize("status", [WorkStatus.FILED, WorkStatus.UNDER_REVIEW,
                                    WorkStatus.REGISTERED, WorkStatus.DISPUTED])
def test_a_musical_work_on_the_register_or_pending_may_be_recorded(status):
    check_recorded_work(uuid4(), (WorkKind.MUSICAL_WORK, status))
