"""A society's CWR acknowledgement (ACK) file read a line at a time, and what each
acknowledgement means for the register (DOMAIN.md, "Acknowledgements"): pure, no I/O.

ACK (CWR 2.1): after the record prefix (type 3, transaction sequence 8, record sequence 8),
creation date 8 and time 6 of the original file, original group id 5, original transaction
sequence 8 and type 3, the title 60, the submitter's work number 20, the society's work
number 20, the processing date 8 and the status 2. The society then echoes the work
(NWR/REV/…) with the ISWC it assigned, and may add MSG records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from contracts.enums import SocietyRegistrationStatus as Status
from contracts.errors import InvalidInput
from contracts.identifiers import parse_iswc

STATUSES: dict[str, Status] = {
    "RA": Status.ACCEPTED, "AS": Status.ACCEPTED, "SR": Status.ACCEPTED,
    "AC": Status.ACCEPTED_WITH_CHANGES, "CR": Status.ACCEPTED_WITH_CHANGES,
    "CO": Status.CONFLICT, "DU": Status.CONFLICT,
    "RJ": Status.REJECTED, "RC": Status.REJECTED,
    "NP": Status.NO_PARTICIPATION,
}  # fmt: skip
# The statuses the filer and holders are told of (DOMAIN.md).
TOLD = frozenset({Status.REJECTED, Status.CONFLICT})
_ECHOED_WORKS = ("NWR", "REV", "ISW", "EXC")


class AckFault(InvalidInput):
    """An ACK file that is not one, or a line of it that is not what its type says."""

    code = "INVALID_ACK_FILE"


@dataclass(frozen=True)
class Acknowledgement:
    """One ACK transaction: the work it answers (by the number the register sent), the
    society's id and status of it, and the ISWC it echoed back, if any."""

    line: int
    original_transaction: str
    submitter_work_number: str
    title: str
    society_work_id: str | None
    cwr_status: str
    status: Status
    assigned_iswc: str | None


@dataclass(frozen=True)
class AckHeader:
    sender_type: str
    society: str


def _cut(line: str, start: int, end: int) -> str:
    return line[start:end].strip()


def read_ack(lines: Iterable[str]) -> tuple[AckHeader, list[Acknowledgement]]:
    """The file's sender and its acknowledgements, each with the ISWC the society echoed."""
    header: AckHeader | None = None
    acks: list[Acknowledgement] = []
    pending: dict[str, object] | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        kind = line[:3]
        if header is None:
            if kind != "HDR":
                raise AckFault("an ACK file starts with an HDR record", field="line 1")
            # A society sends it: its code is the sender id's last three digits.
            header = AckHeader(sender_type=_cut(line, 3, 5), society=_cut(line, 5, 14)[-3:])
            continue
        if kind == "ACK":
            if pending is not None:
                acks.append(_ack(pending))
            pending = _ack_fields(line, number)
        elif kind in _ECHOED_WORKS and pending is not None:
            iswc = _cut(line, 95, 106)
            if iswc and pending["assigned_iswc"] is None:
                try:
                    pending["assigned_iswc"] = parse_iswc(iswc, field=f"line {number}")
                except InvalidInput as error:
                    raise AckFault(error.message, field=f"line {number}") from None
        elif kind in ("GRT", "TRL") and pending is not None:
            acks.append(_ack(pending))
            pending = None
    if header is None:
        raise AckFault("the ACK file is empty", field="line 1")
    if pending is not None:
        acks.append(_ack(pending))
    return header, acks


def _ack_fields(line: str, number: int) -> dict[str, object]:
    code = _cut(line, 157, 159)
    if code not in STATUSES:
        raise AckFault(
            f"line {number}: transaction status {code!r} is not a CWR status code",
            field=f"line {number}",
        )
    return {
        "line": number,
        "original_transaction": _cut(line, 46, 49),
        "title": _cut(line, 49, 109),
        "submitter_work_number": _cut(line, 109, 129),
        "society_work_id": _cut(line, 129, 149) or None,
        "cwr_status": code,
        "status": STATUSES[code],
        "assigned_iswc": None,
    }


def _ack(fields: dict[str, object]) -> Acknowledgement:
    return Acknowledgement(**fields)  # type: ignore[arg-type]


def iter_lines(data: bytes) -> Iterator[str]:
    """The file's lines (CWR 2.1 is ASCII; a stray byte is read as Latin-1, not refused)."""
    yield from data.decode("latin-1").splitlines()


@dataclass(frozen=True)
class SocietyRegistration:
    """What a society was sent of a work and what it answered (`cwr_submission`)."""

    society: str
    work_id: str
    version: int
    transaction: str
    file_name: str
    cwr_status: str | None = None
    society_work_id: str | None = None
    assigned_iswc: str | None = None

    @property
    def status(self) -> Status | None:
        return STATUSES[self.cwr_status] if self.cwr_status else None


def acknowledge(
    registration: SocietyRegistration, ack: Acknowledgement
) -> SocietyRegistration | None:
    """The registration after the society's acknowledgement, or None when it says nothing
    new (the same file imported again changes nothing)."""
    answered = SocietyRegistration(
        society=registration.society,
        work_id=registration.work_id,
        version=registration.version,
        transaction=registration.transaction,
        file_name=registration.file_name,
        cwr_status=ack.cwr_status,
        society_work_id=ack.society_work_id or registration.society_work_id,
        assigned_iswc=ack.assigned_iswc or registration.assigned_iswc,
    )
    return None if answered == registration else answered
