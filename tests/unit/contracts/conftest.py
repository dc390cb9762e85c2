"""One valid sample of every event type, for the round-trip and schema tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from contracts.enums import LicenceStatus, WorkStatus

from contracts import events as ev

WORK_ID = UUID("11111111-1111-4111-8111-111111111111")
LICENCE_ID = UUID("22222222-2222-4222-8222-222222222222")
COMPOSER = UUID("33333333-3333-4333-8333-333333333333")
PUBLISHER = UUID("44444444-4444-4444-8444-444444444444")
LICENSEE = UUID("55555555-5555-4555-8555-555555555555")
EXAMINER = UUID("66666666-6666-4666-8666-666666666666")
AT = datetime(2026, 11, 24, 20, 31, 5, 123456, tzinfo=UTC)

HOLDERS = [
    {"party_id": COMPOSER, "role": "COMPOSER", "share": "60.00"},
    {"party_id": PUBLISHER, "role": "PUBLISHER", "share": "40.00"},
]


def work(status: WorkStatus) -> ev.WorkState:
    registered = status in (WorkStatus.REGISTERED, WorkStatus.DISPUTED)
    return ev.WorkState(
        id=WORK_ID,
        filing_number="F-2026-000123",
        registration_number="R-2026-000045" if registered else None,
        title="Bengawan Solo",
        alternate_titles=["Sungai Bengawan"],
        kind="MUSICAL_WORK",
        status=status,
        identifiers={"iswc": "T-034.524.680-1"},
        country_of_origin="ID",
        rights_holders=HOLDERS,
        filed_by=COMPOSER,
        filed_at=AT,
    )


def consent_work(status: WorkStatus) -> ev.ConsentWorkState:
    return ev.ConsentWorkState.model_validate(work(status), from_attributes=True)


def licence(status: LicenceStatus) -> ev.LicenceState:
    return ev.LicenceState(
        id=LICENCE_ID,
        work_id=WORK_ID,
        licensor_id=COMPOSER,
        licensee_id=LICENSEE,
        status=status,
        terms=ev.LicenceTerms(
            territories=["ASEAN"],
            media=["STREAMING", "DOWNLOAD"],
            exclusive=True,
            start=date(2026, 1, 1),
            end=date(2026, 12, 31),
            royalty_rate="12.50",
            advance="1000.00",
            currency="SGD",
        ),
    )


# A version of a licence's terms, as the amendment events carry it.
AMENDMENT = ev.LicenceVersion(
    number=2, kind="AMENDMENT", state="PENDING", effective_from=date(2026, 3, 1),
    end=date(2026, 12, 31), territories=["TH", "VN"], media=["STREAMING"], exclusive=True,
    royalty_rate="12.00", proposed_by=LICENSEE,
    side="LICENSEE",
)


def consent_licence(status: LicenceStatus) -> ev.ConsentLicenceState:
    return ev.ConsentLicenceState.model_validate(
        {**licence(LicenceStatus.OFFERED).model_dump(), "status": status}
    )


MANDATE = ev.Mandate(
    id=UUID("77777777-7777-4777-8777-777777777777"), grantor_id=PUBLISHER, agent_id=COMPOSER,
    work_id=WORK_ID, media=["SYNC"], valid_from=date(2026, 1, 1), granted_at=AT,
)


def build_samples() -> dict[str, ev.EventData]:
    owners = [COMPOSER, PUBLISHER]
    lic = {"work_owner_ids": owners, "occurred_at": AT}
    # The two delivery outcomes are about the same event: the work's registration.
    about_registration: dict[str, Any] = {
        "event_id": UUID("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"),
        "event_type": "org.aseanip.filing.work.registered.v1",
        "subject_id": str(WORK_ID),
        "occurred_at": AT,
    }
    samples: list[ev.EventData] = [
        ev.PartyRegistered(
            party=ev.PartyState(
                id=COMPOSER,
                name="Gesang",
                kind="PERSON",
                country="ID",
                ipi_name_number="00000000199",
                isni="0000 0001 2146 438X",
            ),
            occurred_at=AT,
        ),
        ev.PartyUpdated(
            party=ev.PartyState(id=PUBLISHER, name="Solo Music", kind="ORGANIZATION", country="SG"),
            changed_fields=["name"],
            occurred_at=AT,
        ),
        ev.WorkFiled(work=work(WorkStatus.FILED), actor_id=COMPOSER, occurred_at=AT),
        ev.WorkRegistered(work=work(WorkStatus.REGISTERED), occurred_at=AT),
        ev.WorkRejected(
            work=work(WorkStatus.REJECTED),
            reason="ISWC T-034.524.680-1 is held by F-2026-000001",
            conflicting_work_id=UUID("77777777-7777-4777-8777-777777777777"),
            occurred_at=AT,
        ),
        ev.WorkReviewRequested(
            work=work(WorkStatus.UNDER_REVIEW),
            reason="likely duplicate",
            similar_work_ids=[UUID("77777777-7777-4777-8777-777777777777")],
            occurred_at=AT,
        ),
        ev.WorkOwnershipTransferred(
            work=work(WorkStatus.REGISTERED),
            actor_id=COMPOSER,
            from_party_id=COMPOSER,
            to_party_id=PUBLISHER,
            share="10.00",
            previous_rights_holders=[
                {"party_id": COMPOSER, "role": "COMPOSER", "share": "70.00"},
                {"party_id": PUBLISHER, "role": "PUBLISHER", "share": "30.00"},
            ],
            occurred_at=AT,
        ),
        ev.WorkDisputed(
            work=work(WorkStatus.DISPUTED), actor_id=LICENSEE, reason="I wrote it", occurred_at=AT
        ),
        ev.WorkDisputeResolved(
            work=work(WorkStatus.REGISTERED),
            actor_id=EXAMINER,
            keep_owners=True,
            reason="claim unfounded",
            previous_rights_holders=HOLDERS,
            occurred_at=AT,
        ),
        # Co-owners' consent to a filing (DOMAIN.md): the publisher is asked.
        ev.WorkConsentRequested(
            work=consent_work(WorkStatus.AWAITING_CONSENT), asked=[PUBLISHER],
            deadline=AT + timedelta(days=14), occurred_at=AT,
        ),
        ev.WorkConsentGiven(
            work=consent_work(WorkStatus.AWAITING_CONSENT), actor_id=PUBLISHER,
            party_id=PUBLISHER, occurred_at=AT,
        ),
        ev.WorkHoldingRejected(
            work=consent_work(WorkStatus.AWAITING_CONSENT), actor_id=PUBLISHER,
            party_id=PUBLISHER, reason="not my share", occurred_at=AT,
        ),
        ev.WorkReturned(
            work=consent_work(WorkStatus.RETURNED), actor_id=PUBLISHER,
            reason=f"party {PUBLISHER} rejected its holding: not my share", occurred_at=AT,
        ),
        ev.BulkImportCompleted(
            import_id=UUID("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"),
            party_id=COMPOSER,
            filed_by=PUBLISHER,
            works_registered=1200,
            works_under_review=3,
            works_rejected=1,
            occurred_at=AT,
        ),
        ev.SocietyRegistrationSent(
            work_id=WORK_ID, society="021", registration_number="R-2026-000045",
            work_version=2, transaction="NWR",
            file_id=UUID("cccccccc-cccc-4ccc-8ccc-cccccccccccc"), file_name="CW260001ARR_021.V21",
            occurred_at=AT,
        ),
        ev.SocietyAcknowledgementReceived(
            work_id=WORK_ID, society="021", registration_number="R-2026-000045",
            status="REJECTED", cwr_status="RJ", society_work_id="BMI-77",
            assigned_iswc="T-034.524.680-1", title="Bengawan Solo", filed_by=COMPOSER,
            holder_ids=owners, file_name="CW260001021_ARR.V21", occurred_at=AT,
        ),
        ev.LicenceOffered(licence=licence(LicenceStatus.OFFERED), actor_id=COMPOSER, **lic),
        ev.LicenceActivated(licence=licence(LicenceStatus.ACTIVE), actor_id=LICENSEE, **lic),
        ev.LicenceDeclined(
            licence=licence(LicenceStatus.DECLINED), actor_id=LICENSEE, reason="too dear", **lic
        ),
        ev.LicenceWithdrawn(licence=licence(LicenceStatus.WITHDRAWN), actor_id=COMPOSER, **lic),
        ev.LicenceTerminated(
            licence=licence(LicenceStatus.TERMINATED), actor_id=LICENSEE, reason="closing", **lic
        ),
        ev.LicenceExpired(licence=licence(LicenceStatus.EXPIRED), **lic),
        *(
            kind(licence=licence(LicenceStatus.ACTIVE), actor_id=LICENSEE, version=version, **lic)
            for kind, version in [
                (ev.LicenceAmendmentProposed, AMENDMENT),
                (ev.LicenceAmended, AMENDMENT.model_copy(update={"state": "ACCEPTED"})),
                (ev.LicenceRenewed, AMENDMENT.model_copy(update={"kind": "RENEWAL"})),
                (ev.LicenceAmendmentDeclined, AMENDMENT.model_copy(update={"state": "DECLINED"})),
            ]
        ),
        # Co-owners' consent and mandates (DOMAIN.md).
        ev.LicenceAwaitingOwners(
            licence=consent_licence(LicenceStatus.AWAITING_OWNERS), actor_id=COMPOSER,
            owners_asked=[PUBLISHER], consent_due=AT + timedelta(days=14), **lic,
        ),
        ev.LicenceOwnerConsented(
            licence_id=LICENCE_ID, work_id=WORK_ID, licensor_id=COMPOSER, owner_id=PUBLISHER,
            remaining=[], occurred_at=AT,
        ),
        ev.LicenceRefusedByOwners(
            licence=consent_licence(LicenceStatus.REFUSED_BY_OWNERS), actor_id=PUBLISHER,
            reason="too cheap", **lic,
        ),
        ev.MandateGranted(mandate=MANDATE, occurred_at=AT),
        ev.MandateRevoked(
            mandate=MANDATE.model_copy(update={"revoked_at": AT + timedelta(days=1)}),
            occurred_at=AT + timedelta(days=1),
        ),
        ev.UsageReported(
            report=ev.UsageReport(
                id=UUID("88888888-8888-4888-8888-888888888888"),
                licence_id=LICENCE_ID,
                work_id=WORK_ID,
                period_start=date(2026, 1, 1),
                period_end=date(2026, 3, 31),
                units=120_000,
                gross_revenue="10000.00",
                currency="SGD",
                created_at=AT,
            ),
            licensee_id=LICENSEE,
            work_owner_ids=owners,
            occurred_at=AT,
        ),
        ev.RoyaltyStatementIssued(
            statement=ev.RoyaltyStatement(
                id=UUID("99999999-9999-4999-8999-999999999999"),
                licence_id=LICENCE_ID,
                work_id=WORK_ID,
                report_id=UUID("88888888-8888-4888-8888-888888888888"),
                period_start=date(2026, 1, 1),
                period_end=date(2026, 3, 31),
                gross="10000.00",
                royalty="1250.00",
                recouped="1000.00",
                payable="250.00",
                currency="SGD",
                lines=[
                    {"party_id": COMPOSER, "share": "60.00", "amount": "150.00"},
                    {"party_id": PUBLISHER, "share": "40.00", "amount": "100.00"},
                ],
                issued_at=AT,
            ),
            licensee_id=LICENSEE,
            occurred_at=AT,
        ),
        ev.UsageLinesReceived(
            licensee_id=LICENSEE, usage_file="dsr-2026-01", first_line=2, last_line=1001,
            received=998, duplicates=0, refused=2, occurred_at=AT,
        ),
        ev.UsageLinesMatched(
            licensee_id=LICENSEE, usage_file="dsr-2026-01", currency="SGD", occurred_at=AT,
            lines=[
                ev.LineMatch(line_id=UUID("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbb1"), line_key="2",
                             status="STATED", work_id=WORK_ID, method="ISRC", confidence="1.000",
                             licence_id=LICENCE_ID, royalty="1.25"),
                ev.LineMatch(line_id=UUID("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbb2"), line_key="3",
                             status="QUEUED", work_id=WORK_ID, confidence="0.612"),
            ],
        ),
        ev.UsageLineClaimed(
            licensee_id=LICENSEE, usage_file="dsr-2026-01", claimed_by=COMPOSER, occurred_at=AT,
            line=ev.LineMatch(line_id=UUID("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbb2"), line_key="3",
                              status="STATED", work_id=WORK_ID, method="CLAIM",
                              confidence="1.000", licence_id=LICENCE_ID, royalty="0.50"),
        ),
        ev.RoyaltyStatementReleased(
            statement=ev.ReleaseStatement(
                id=UUID("99999999-9999-4999-8999-99999999999a"),
                licence_id=LICENCE_ID,
                work_id=WORK_ID,
                period_start=date(2026, 1, 1),
                period_end=date(2026, 3, 31),
                payable="250.00",
                currency="SGD",
                lines=[{"party_id": PUBLISHER, "share": "100.00", "amount": "250.00"}],
                releases=[UUID("99999999-9999-4999-8999-999999999999")],
                issued_at=AT,
            ),
            licensee_id=LICENSEE,
            held_party_ids=[COMPOSER, PUBLISHER],
            occurred_at=AT,
        ),
        ev.NotificationDelivered(
            notification_id=UUID("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"),
            recipient_id=COMPOSER,
            channel="WEBHOOK",
            attempts=1,
            **about_registration,
        ),
        ev.NotificationFailed(
            notification_id=UUID("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaab"),
            recipient_id=PUBLISHER,
            channel="EMAIL",
            attempts=5,
            error="SMTP 550 mailbox unavailable",
            **about_registration,
        ),
        ev.RoyaltyStatementPaid(
            statement_id=UUID("99999999-9999-4999-8999-999999999999"), licence_id=LICENCE_ID,
            work_id=WORK_ID, kind="ROYALTY", paid_on=date(2026, 4, 15), amount="250.00",
            currency="SGD", licensee_id=LICENSEE, occurred_at=AT,
            lines=[{"party_id": COMPOSER, "share": "60.00", "amount": "150.00"},
                   {"party_id": PUBLISHER, "share": "40.00", "amount": "100.00"}],
        ),
        # DOMAIN.md, "Advances and minimum guarantees".
        ev.AdvancePaid(
            statement=ev.AdvanceStatement(
                id=UUID("cccccccc-cccc-4ccc-8ccc-ccccccccccc1"), licence_id=LICENCE_ID,
                work_id=WORK_ID, period_start=date(2026, 1, 5), period_end=date(2026, 1, 5),
                payable="1000.00", currency="SGD",
                lines=[{"party_id": COMPOSER, "share": "60.00", "amount": "600.00"},
                       {"party_id": PUBLISHER, "share": "40.00", "amount": "400.00"}],
                issued_at=AT, paid_on=date(2026, 1, 5), reference="TT-2026-0105",
            ),
            licensee_id=LICENSEE, occurred_at=AT,
        ),
        ev.GuaranteeTruedUp(
            statement=ev.TrueUpStatement(
                id=UUID("cccccccc-cccc-4ccc-8ccc-ccccccccccc2"), licence_id=LICENCE_ID,
                work_id=WORK_ID, period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
                payable="750.00", currency="SGD",
                lines=[{"party_id": COMPOSER, "share": "60.00", "amount": "450.00"},
                       {"party_id": PUBLISHER, "share": "40.00", "amount": "300.00"}],
                issued_at=AT, minimum_guarantee="3000.00", advance="1000.00",
                royalties="2250.00",
            ),
            licensee_id=LICENSEE, occurred_at=AT,
        ),
    ]
    return {type(sample).ce_type: sample for sample in samples}


@pytest.fixture(scope="session")
def samples() -> dict[str, ev.EventData]:
    return build_samples()
