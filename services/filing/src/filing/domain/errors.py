"""The filing rules' own error types, each a kind of the contracts' `DomainError` with its code."""

from __future__ import annotations

from contracts.errors import Conflict, IllegalTransition, InvalidInput, NotAllowed, NotFound


class UnknownParty(InvalidInput):
    """A request names a party the register does not know."""

    code = "UNKNOWN_PARTY"


class PartyNotFound(NotFound):
    code = "PARTY_NOT_FOUND"


class WorkNotFound(NotFound):
    code = "WORK_NOT_FOUND"


class DuplicateHolding(InvalidInput):
    """A party may appear at most once per role on a work (DOMAIN.md, Works)."""

    code = "DUPLICATE_RIGHTS_HOLDER"


class IdentifierNotForKind(InvalidInput):
    """ISWC belongs to musical works, ISRC to recordings, ISBN to literary works."""

    code = "IDENTIFIER_NOT_FOR_KIND"


class FilerNotHolder(NotAllowed):
    """The filer of a work must be one of its rights holders."""

    code = "FILER_NOT_RIGHTS_HOLDER"


class ExaminerOnly(NotAllowed):
    """Reviews and dispute resolutions are decided by examiners alone."""

    code = "EXAMINER_ONLY"


class NotAnOwner(NotAllowed):
    """Only a rights holder of the work may transfer its share."""

    code = "NOT_AN_OWNER"


class NotThisParty(NotAllowed):
    """A party's record is written by that party alone."""

    code = "NOT_THIS_PARTY"


class WorkTransitionError(IllegalTransition):
    """The filing lifecycle has no such transition."""

    code = "ILLEGAL_TRANSITION"


class WorkDisputed(Conflict):
    """A disputed work's ownership is frozen until an examiner resolves the dispute."""

    code = "WORK_DISPUTED"


class WorkNotRegistered(Conflict):
    code = "WORK_NOT_REGISTERED"


class ShareExceedsHolding(InvalidInput):
    code = "SHARE_EXCEEDS_HOLDING"


class IdentifierTaken(Conflict):
    """Raised when the database's uniqueness guard fires despite the examination lock."""

    code = "IDENTIFIER_TAKEN"


class OwnerCannotDispute(NotAllowed):
    """A rights holder of a work transfers shares or asks an examiner; it does not dispute."""

    code = "OWNER_CANNOT_DISPUTE"


class DisputeLimitReached(Conflict):
    """A party has opened as many disputes today (UTC, the database's day) as it may."""

    code = "DISPUTE_LIMIT_REACHED"


class TerritorySharesFixed(Conflict):
    """A work with territory collection shares is not transferred by share (DOMAIN.md)."""

    code = "TERRITORY_SHARES_FIXED"


class NotAsked(NotAllowed):
    """The caller has no pending consent in the work (DOMAIN.md, "Co-owners' consent")."""

    code = "NOT_ASKED"
