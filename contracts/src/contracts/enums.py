"""The closed vocabularies of the domain (DOMAIN.md, schema.graphql), as upper-case StrEnums."""

from __future__ import annotations

from enum import StrEnum


class PartyKind(StrEnum):
    PERSON = "PERSON"
    ORGANIZATION = "ORGANIZATION"


class WorkKind(StrEnum):
    MUSICAL_WORK = "MUSICAL_WORK"
    SOUND_RECORDING = "SOUND_RECORDING"
    LITERARY = "LITERARY"
    AUDIOVISUAL = "AUDIOVISUAL"
    VISUAL_ART = "VISUAL_ART"
    SOFTWARE = "SOFTWARE"
    OTHER = "OTHER"


class Role(StrEnum):
    AUTHOR = "AUTHOR"
    COMPOSER = "COMPOSER"
    LYRICIST = "LYRICIST"
    ARRANGER = "ARRANGER"
    PUBLISHER = "PUBLISHER"
    PRODUCER = "PRODUCER"
    PERFORMER = "PERFORMER"
    OTHER = "OTHER"


class WorkStatus(StrEnum):
    FILED = "FILED"
    UNDER_REVIEW = "UNDER_REVIEW"
    REGISTERED = "REGISTERED"
    REJECTED = "REJECTED"
    DISPUTED = "DISPUTED"
    # Co-owners' consent to a filing (DOMAIN.md): waiting for the other holders, and handed
    # back to the filer on a rejection or a lapsed deadline.
    AWAITING_CONSENT = "AWAITING_CONSENT"
    RETURNED = "RETURNED"


class FilingConsentStatus(StrEnum):
    """A co-owner's answer to a filing that names it (DOMAIN.md, "Co-owners' consent")."""

    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    REJECTED = "REJECTED"


class Medium(StrEnum):
    STREAMING = "STREAMING"
    DOWNLOAD = "DOWNLOAD"
    BROADCAST = "BROADCAST"
    PUBLIC_PERFORMANCE = "PUBLIC_PERFORMANCE"
    SYNC = "SYNC"
    PRINT = "PRINT"
    MERCHANDISE = "MERCHANDISE"
    THEATRICAL = "THEATRICAL"
    OTHER = "OTHER"


class LicenceStatus(StrEnum):
    OFFERED = "OFFERED"
    ACTIVE = "ACTIVE"
    DECLINED = "DECLINED"
    WITHDRAWN = "WITHDRAWN"
    TERMINATED = "TERMINATED"
    EXPIRED = "EXPIRED"
    # DOMAIN.md, "Co-owners' consent to licences, and mandates".
    AWAITING_OWNERS = "AWAITING_OWNERS"
    REFUSED_BY_OWNERS = "REFUSED_BY_OWNERS"


class ReviewDecision(StrEnum):
    REGISTER = "REGISTER"
    REJECT = "REJECT"


class Channel(StrEnum):
    """How a notification reaches a party (DOMAIN.md, Notifications)."""

    INBOX = "INBOX"
    EMAIL = "EMAIL"
    WEBHOOK = "WEBHOOK"


class MatchMethod(StrEnum):
    """How a usage line was matched to a work (DOMAIN.md, "Usage lines and matching")."""

    ISRC = "ISRC"
    ISWC = "ISWC"
    FUZZY = "FUZZY"
    CLAIM = "CLAIM"
class SocietyRegistrationStatus(StrEnum):
    """A society's answer to a work's registration (DOMAIN.md, "Acknowledgements")."""

    ACCEPTED = "ACCEPTED"
    ACCEPTED_WITH_CHANGES = "ACCEPTED_WITH_CHANGES"
    CONFLICT = "CONFLICT"
    REJECTED = "REJECTED"
    NO_PARTICIPATION = "NO_PARTICIPATION"


class StatementKind(StrEnum):
    """Where a statement's money comes from (DOMAIN.md, "Statements and the ledger")."""

    ROYALTY = "ROYALTY"
    ADVANCE = "ADVANCE"
    TRUE_UP = "TRUE_UP"
    RELEASE = "RELEASE"


class OwnerConsentStatus(StrEnum):
    """How an owner agreed to an exclusive offer, or not yet (DOMAIN.md, "Co-owners' consent
    to licences, and mandates")."""

    OFFEROR = "OFFEROR"
    MANDATE = "MANDATE"
    CONSENTED = "CONSENTED"
    PENDING = "PENDING"
    REFUSED = "REFUSED"
