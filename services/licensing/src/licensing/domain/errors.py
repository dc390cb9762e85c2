"""The licensing rules' own error kinds, each with a specific code the API returns."""

from __future__ import annotations

from contracts.errors import Conflict, IllegalTransition, InvalidInput, NotAllowed, NotFound


class InvalidPeriod(InvalidInput):
    code = "INVALID_PERIOD"


class UnknownWork(NotFound):
    code = "UNKNOWN_WORK"


class UnknownParty(NotFound):
    code = "UNKNOWN_PARTY"


class UnknownLicence(NotFound):
    code = "UNKNOWN_LICENCE"


class UnknownReport(NotFound):
    code = "UNKNOWN_REPORT"


class WorkNotLicensable(Conflict):
    """The work is not REGISTERED (filed, rejected, under review or disputed)."""

    code = "WORK_NOT_LICENSABLE"


class NotAnOwner(NotAllowed):
    code = "NOT_AN_OWNER"


class NotTheLicensee(NotAllowed):
    code = "NOT_THE_LICENSEE"


class NotTheOfferor(NotAllowed):
    code = "NOT_THE_OFFEROR"


class NotAParty(NotAllowed):
    """Terminating needs the licensee or an owner of the work (the licensor side)."""

    code = "NOT_A_PARTY_TO_THE_LICENCE"


class SelfLicence(InvalidInput):
    code = "SELF_LICENCE"


class LicenceStateError(IllegalTransition):
    code = "ILLEGAL_TRANSITION"


class UsageOutsideLicence(InvalidInput):
    code = "USAGE_OUTSIDE_LICENCE"


class UsageOverlap(Conflict):
    code = "USAGE_OVERLAP"


class WrongCurrency(InvalidInput):
    code = "WRONG_CURRENCY"


class InvalidCorrection(InvalidInput):
    code = "INVALID_CORRECTION"


class UnknownUsageLine(NotFound):
    code = "UNKNOWN_USAGE_LINE"


class LineAlreadyMatched(Conflict):
    code = "LINE_ALREADY_MATCHED"


# DOMAIN.md, "Advances and minimum guarantees".
class DealMismatch(InvalidInput):
    code = "DEAL_MISMATCH"


class NoAdvance(InvalidInput):
    code = "NO_ADVANCE"


class AdvanceAlreadyPaid(Conflict):
    code = "ADVANCE_ALREADY_PAID"


class AmendmentPending(Conflict):
    """A licence has at most one proposal (amendment or renewal) waiting for an answer."""

    code = "AMENDMENT_PENDING"


class UnknownAmendment(NotFound):
    code = "UNKNOWN_AMENDMENT"


class NotTheOtherSide(NotAllowed):
    """A proposal is accepted by the side that did not propose it."""

    code = "NOT_THE_OTHER_SIDE"


class SpansAmendment(InvalidInput):
    """A usage period must lie within one version's terms (DOMAIN.md, "Amendments")."""

    code = "SPANS_AMENDMENT"


# --- co-owners' consent and mandates (DOMAIN.md) ----------------------------------------------


class NotAskedToConsent(NotAllowed):
    code = "NOT_ASKED_TO_CONSENT"


class ConsentAlreadyAnswered(Conflict):
    code = "CONSENT_ALREADY_ANSWERED"


class UnknownMandate(NotFound):
    code = "UNKNOWN_MANDATE"


class SelfMandate(InvalidInput):
    code = "SELF_MANDATE"


class NotTheGrantor(NotAllowed):
    code = "NOT_THE_GRANTOR"


class MandateStateError(Conflict):
    code = "MANDATE_REVOKED"
