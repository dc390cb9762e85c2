"""A society's acknowledgement file (DOMAIN.md, "Acknowledgements"), read from a real one:
the PRS for Music ACK file CWR-DataApi ships as its example (society 052, 20 transactions)."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest
from contracts.enums import SocietyRegistrationStatus as Status
from filing.domain.cwr_ack import (
    AckFault,
    SocietyRegistration,
    acknowledge,
    iter_lines,
    read_ack,
)

PRS_ACK = Path(str(importlib.metadata.distribution("cwr-api").locate_file(
    "tests/examples/ackexample.V21")))  # fmt: skip


def test_a_real_society_ack_file_gives_each_works_status_id_and_iswc():
    header, acks = read_ack(iter_lines(PRS_ACK.read_bytes()))
    assert (header.sender_type, header.society) == ("SO", "052")
    assert len(acks) == 20
    assert sum(a.status is Status.ACCEPTED for a in acks) == 19
    assert [a.cwr_status for a in acks if a.status is Status.REJECTED] == ["RJ"]
    first = acks[0]
    assert (first.original_transaction, first.submitter_work_number, first.title) == (
        "NWR", "256599", "ALIVE AND LIVING NOW")
    assert first.society_work_id == "250310HN"
    # The society's echo of the work carries the ISWC it assigned: T9110536293.
    assert first.assigned_iswc == "T-911.053.629-3"


def test_an_unknown_status_code_is_refused_naming_the_line():
    lines = PRS_ACK.read_bytes().decode("latin-1").splitlines()
    third = lines[2]
    lines[2] = third[:157] + "ZZ" + third[159:]
    with pytest.raises(AckFault) as caught:
        read_ack(lines)
    assert caught.value.field == "line 3"


def test_a_file_that_is_not_an_ack_file_is_refused():
    with pytest.raises(AckFault):
        read_ack(["NWR0000000000000000"])


def test_the_same_acknowledgement_again_changes_nothing():
    _, acks = read_ack(iter_lines(PRS_ACK.read_bytes()))
    sent = SocietyRegistration(society="052", work_id="w", version=2, transaction="NWR",
                               file_name="CW260001ARR_052.V21")  # fmt: skip
    answered = acknowledge(sent, acks[0])
    assert answered is not None and answered.status is Status.ACCEPTED
    assert answered.assigned_iswc == "T-911.053.629-3"
    assert acknowledge(answered, acks[0]) is None
