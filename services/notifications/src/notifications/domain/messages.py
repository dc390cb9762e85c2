"""The words of each notification: a short subject (also the email subject) and a body.

Texts use only public facts of the event (titles, numbers, amounts on the party's own line),
never a contact detail, since the same text goes to the inbox, the email and the webhook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

SUBJECT_PREFIX = "[Rights Register]"


@dataclass(frozen=True)
class EventFacts:
    """The public facts of an event that a message may mention."""

    work_title: str | None = None
    filing_number: str | None = None
    registration_number: str | None = None
    party_name: str | None = None
    reason: str | None = None
    licence_id: UUID | None = None
    transfer_share: Decimal | None = None
    period_start: str | None = None
    period_end: str | None = None
    payable: Decimal | None = None
    currency: str | None = None
    # Each statement line's amount, so an owner reads its own share of the payable.
    line_amounts: dict[UUID, Decimal] = field(default_factory=dict)
    # A statement issued while its work is disputed: its lines are held in suspense.
    held: bool = False
    # The day a statement was paid (`royalty.statement_paid`).
    paid_on: str | None = None
    # A bulk import's works naming the recipient: registered, under review, rejected.
    # (and awaiting co-owners' consent: DOMAIN.md, "Co-owners' consent to a filing").
    import_counts: tuple[int, int, int, int] | None = None


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


def _held(facts: EventFacts) -> str:
    """A statement of a disputed work (DOMAIN.md, "Suspense while a work is disputed")."""
    if not facts.held:
        return ""
    return (
        " It is held in suspense while the work is disputed, and paid to the owners the "
        "dispute's resolution names."
    )


def _work(facts: EventFacts) -> str:
    title = f'"{facts.work_title}"' if facts.work_title else "a work"
    number = facts.registration_number or facts.filing_number
    return f"{title} ({number})" if number else title


def _licence(facts: EventFacts) -> str:
    on = f" on {_work(facts)}" if facts.work_title else ""
    return f"licence {facts.licence_id}{on}" if facts.licence_id else f"a licence{on}"


def _about(headline: str, facts: EventFacts) -> str:
    return f"{headline}: {facts.work_title}" if facts.work_title else headline


def _reason(facts: EventFacts) -> str:
    return f" Reason: {facts.reason}" if facts.reason else ""


def _period(facts: EventFacts) -> str:
    if facts.period_start and facts.period_end:
        return f" for {facts.period_start} to {facts.period_end}"
    return ""


def _money(amount: Decimal | None, currency: str | None) -> str:
    if amount is None:
        return ""
    return f"{amount} {currency}".strip()


def _payable(facts: EventFacts) -> str:
    return f": payable {_money(facts.payable, facts.currency)}" if facts.payable is not None else ""


def compose(event_type: str, facts: EventFacts, recipient: UUID) -> Message:
    """The message `recipient` gets for an event of `event_type` (short form)."""
    subject, body = _texts(event_type, facts, recipient)
    return Message(subject=f"{SUBJECT_PREFIX} {subject}", body=body)


# The event types whose words are a headline and a sentence about the work or the licence:
# `{work}`, `{licence}`, `{reason}` and `{period}` are filled from the event's facts.
TEXTS: dict[str, tuple[str, str]] = {
    "work.filed": ("Work filed", "{work} was filed and is being examined."),
    "work.rejected": ("Work rejected", "{work} was rejected.{reason}"),
    "work.review_requested": (
        "Work under review",
        "{work} needs an examiner's review before it can be registered.{reason}",
    ),
    "work.disputed": ("Work disputed", "{work} is disputed.{reason}"),
    "work.consent_requested": (
        "Consent requested",
        "{work} was filed naming you as a rights holder: confirm or reject your role and "
        "share before it can be registered (the filer needs no answer from itself).",
    ),
    "work.returned": ("Filing returned", "{work} was returned to its filer.{reason}"),
    "work.dispute_resolved": ("Dispute resolved", "The dispute over {work} is resolved.{reason}"),
    "licence.offered": ("Licence offered", "A {licence} was offered."),
    "licence.activated": ("Licence active", "The {licence} was accepted and is active."),
    "licence.declined": ("Licence declined", "The {licence} was declined.{reason}"),
    "licence.withdrawn": ("Licence offer withdrawn", "The offer of {licence} was withdrawn."),
    "licence.terminated": ("Licence terminated", "The {licence} was terminated.{reason}"),
    "licence.expired": ("Licence expired", "The {licence} reached its end date."),
    "licence.amendment_proposed": (
        "Licence change proposed",
        "A change to the {licence} was proposed and waits for the other side's answer.",
    ),
    "licence.amended": ("Licence amended", "The {licence} was amended by both sides."),
    "licence.renewed": ("Licence renewed", "The {licence} was renewed."),
    "licence.amendment_declined": (
        "Licence change declined",
        "A proposed change to the {licence} was declined.",
    ),
    "licence.awaiting_owners": (
        "Your consent is asked",
        "An exclusive {licence} was offered and waits for its co-owners' consent.",
    ),
    "licence.refused_by_owners": (
        "Licence refused by co-owners",
        "The exclusive offer of {licence} was not consented to by its co-owners.{reason}",
    ),
    "usage.reported": ("Usage reported", "Usage of {work} was reported under {licence}{period}."),
    "society.acknowledgement_received": (
        "Society registration not accepted",
        "A collecting society did not accept the registration of {work}.{reason}",
    ),
}


def _texts(event_type: str, facts: EventFacts, recipient: UUID) -> tuple[str, str]:
    work = _work(facts)
    if event_type in TEXTS:
        headline, body = TEXTS[event_type]
        filled = body.format(
            work=work, licence=_licence(facts), reason=_reason(facts), period=_period(facts)
        )
        return _about(headline, facts), filled
    match event_type:
        case "party.registered":
            name = facts.party_name or "your party"
            return (
                "Welcome",
                f"{name} is registered. You will be notified of every step that names you.",
            )
        case "party.updated":
            return (
                "Party details updated",
                f"The public details of {facts.party_name or 'your party'} were updated.",
            )
        case "work.registered":
            return (
                _about("Work registered", facts),
                f"{work} is registered as {facts.registration_number}."
                if facts.registration_number
                else f"{work} is registered.",
            )
        case "work.ownership_transferred":
            share = f" {facts.transfer_share}%" if facts.transfer_share is not None else ""
            return (
                _about("Ownership transferred", facts),
                f"A share{share} of {work} changed hands; the rights holders are updated.",
            )
        case "import.completed":
            registered, review, rejected, waiting = facts.import_counts or (0, 0, 0, 0)
            total = registered + review + rejected + waiting
            consent = f", {waiting} awaiting co-owners' consent" if waiting else ""
            return (
                "Bulk import completed",
                f"A bulk import named you on {total} works: {registered} registered, "
                f"{review} under review, {rejected} rejected{consent}.",
            )
        case "royalty.statement_issued":
            own = facts.line_amounts.get(recipient)
            yours = f" Your share: {_money(own, facts.currency)}." if own is not None else ""
            return (
                _about("Royalty statement", facts),
                f"A royalty statement for {work}{_period(facts)} was issued"
                f"{_payable(facts)}.{yours}{_held(facts)}",
            )
        case "royalty.statement_released":
            own = facts.line_amounts.get(recipient)
            yours = (
                f" Your share: {_money(own, facts.currency)}."
                if own is not None
                else " You are not among the owners the resolution named."
            )
            return (
                _about("Released from suspense", facts),
                f"The dispute over {work} is resolved: the royalties held in suspense"
                f"{_period(facts)} are released{_payable(facts)}.{yours}",
            )
        case "royalty.statement_paid":
            own = facts.line_amounts.get(recipient)
            yours = f" Your share: {_money(own, facts.currency)}." if own is not None else ""
            on = f", paid on {facts.paid_on}" if facts.paid_on else ""
            return (
                _about("Statement paid", facts),
                f"The licensee paid a statement for {work}{_payable(facts)}{on}.{yours}",
            )
        case "royalty.advance_paid" | "royalty.guarantee_trued_up":
            own = facts.line_amounts.get(recipient)
            yours = f" Your share: {_money(own, facts.currency)}." if own is not None else ""
            title, what = (
                ("Advance paid", "The licensee paid the advance")
                if event_type == "royalty.advance_paid"
                else ("Minimum guarantee trued up",
                      "The licence ended short of its minimum guarantee: the licensee owes")
            )  # fmt: skip
            return (
                _about(title, facts),
                f"{what} for {work}{_period(facts)}{_payable(facts)}.{yours}{_held(facts)}",
            )
        case _:
            return event_type, f"Event {event_type} names you."
