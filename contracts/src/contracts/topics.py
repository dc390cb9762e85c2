"""Topic names, partition counts and key rules of the wire contract (EVENTS.md), in one place."""

from __future__ import annotations

FILING_PARTIES = "filing.parties.v1"
FILING_WORKS = "filing.works.v1"
FILING_IMPORTS = "filing.imports.v1"
FILING_SOCIETIES = "filing.societies.v1"
LICENSING_LICENCES = "licensing.licences.v1"
LICENSING_ROYALTIES = "licensing.royalties.v1"
NOTIFICATIONS_DELIVERIES = "notifications.deliveries.v1"

# Consumer groups, whose dead-letter topics are `<group>.dlq`.
LICENSING_GROUP = "licensing"
NOTIFICATIONS_GROUP = "notifications"

EVENT_TOPICS: tuple[str, ...] = (
    FILING_PARTIES,
    FILING_WORKS,
    FILING_IMPORTS,
    FILING_SOCIETIES,
    LICENSING_LICENCES,
    LICENSING_ROYALTIES,
    NOTIFICATIONS_DELIVERIES,
)


# The register: each record carries its aggregate's full state, and the topics are
# compacted so the latest record of every key outlives any retention (KAFKA.md, "Retention").
REGISTER_TOPICS: tuple[str, ...] = (FILING_PARTIES, FILING_WORKS)


def dlq(group: str) -> str:
    """The dead-letter topic of a consumer group."""
    return f"{group}.dlq"


DLQ_TOPICS: tuple[str, ...] = (dlq(LICENSING_GROUP), dlq(NOTIFICATIONS_GROUP))
ALL_TOPICS: tuple[str, ...] = EVENT_TOPICS + DLQ_TOPICS

# Keys are aggregate ids, so the partition count bounds each consumer group's parallelism;
# six leaves room for a few instances per service without over-partitioning one broker.
PARTITIONS: dict[str, int] = {topic: 6 for topic in EVENT_TOPICS} | {t: 3 for t in DLQ_TOPICS}

# CloudEvents `ce_source` of each writer (EVENTS.md): one service writes each topic.
FILING_SOURCE = "/filing"
LICENSING_SOURCE = "/licensing"
NOTIFICATIONS_SOURCE = "/notifications"

CE_TYPE_PREFIX = "org.aseanip"


def ce_type(service: str, event: str, version: int = 1) -> str:
    """`org.aseanip.<service>.<event>.v<version>`, the full CloudEvents type name."""
    return f"{CE_TYPE_PREFIX}.{service}.{event}.v{version}"


PARTY_REGISTERED = ce_type("filing", "party.registered")
PARTY_UPDATED = ce_type("filing", "party.updated")
WORK_FILED = ce_type("filing", "work.filed")
WORK_REGISTERED = ce_type("filing", "work.registered")
WORK_REJECTED = ce_type("filing", "work.rejected")
WORK_REVIEW_REQUESTED = ce_type("filing", "work.review_requested")
WORK_OWNERSHIP_TRANSFERRED = ce_type("filing", "work.ownership_transferred")
WORK_DISPUTED = ce_type("filing", "work.disputed")
WORK_DISPUTE_RESOLVED = ce_type("filing", "work.dispute_resolved")
WORK_CONSENT_REQUESTED = ce_type("filing", "work.consent_requested")
WORK_CONSENT_GIVEN = ce_type("filing", "work.consent_given")
WORK_HOLDING_REJECTED = ce_type("filing", "work.holding_rejected")
WORK_RETURNED = ce_type("filing", "work.returned")
IMPORT_COMPLETED = ce_type("filing", "import.completed")
SOCIETY_REGISTRATION_SENT = ce_type("filing", "society.registration_sent")
SOCIETY_ACKNOWLEDGEMENT_RECEIVED = ce_type("filing", "society.acknowledgement_received")
LICENCE_OFFERED = ce_type("licensing", "licence.offered")
LICENCE_ACTIVATED = ce_type("licensing", "licence.activated")
LICENCE_DECLINED = ce_type("licensing", "licence.declined")
LICENCE_WITHDRAWN = ce_type("licensing", "licence.withdrawn")
LICENCE_TERMINATED = ce_type("licensing", "licence.terminated")
LICENCE_EXPIRED = ce_type("licensing", "licence.expired")
# Amendments and renewals (DOMAIN.md, "Amendments and renewals").
LICENCE_AMENDMENT_PROPOSED = ce_type("licensing", "licence.amendment_proposed")
LICENCE_AMENDED = ce_type("licensing", "licence.amended")
LICENCE_RENEWED = ce_type("licensing", "licence.renewed")
LICENCE_AMENDMENT_DECLINED = ce_type("licensing", "licence.amendment_declined")
USAGE_REPORTED = ce_type("licensing", "usage.reported")
ROYALTY_STATEMENT_ISSUED = ce_type("licensing", "royalty.statement_issued")
USAGE_LINES_RECEIVED = ce_type("licensing", "usage.lines_received")
USAGE_LINES_MATCHED = ce_type("licensing", "usage.lines_matched")
USAGE_LINE_CLAIMED = ce_type("licensing", "usage.line_claimed")
# Suspense while a work is disputed (DOMAIN.md): a RELEASE statement.
ROYALTY_STATEMENT_RELEASED = ce_type("licensing", "royalty.statement_released")
ROYALTY_STATEMENT_PAID = ce_type("licensing", "royalty.statement_paid")
# DOMAIN.md, "Advances and minimum guarantees".
ADVANCE_PAID = ce_type("licensing", "royalty.advance_paid")
GUARANTEE_TRUED_UP = ce_type("licensing", "royalty.guarantee_trued_up")
# Co-owners' consent to licences, and mandates (DOMAIN.md).
LICENCE_AWAITING_OWNERS = ce_type("licensing", "licence.awaiting_owners")
LICENCE_OWNER_CONSENTED = ce_type("licensing", "licence.owner_consented")
LICENCE_REFUSED_BY_OWNERS = ce_type("licensing", "licence.refused_by_owners")
MANDATE_GRANTED = ce_type("licensing", "mandate.granted")
MANDATE_REVOKED = ce_type("licensing", "mandate.revoked")
NOTIFICATION_DELIVERED = ce_type("notifications", "notification.delivered")
NOTIFICATION_FAILED = ce_type("notifications", "notification.failed")

# Each topic: its writer's source, what its record key is, and the ce_types it carries.
TOPIC_SOURCE: dict[str, str] = {
    FILING_PARTIES: FILING_SOURCE,
    FILING_WORKS: FILING_SOURCE,
    FILING_IMPORTS: FILING_SOURCE,
    FILING_SOCIETIES: FILING_SOURCE,
    LICENSING_LICENCES: LICENSING_SOURCE,
    LICENSING_ROYALTIES: LICENSING_SOURCE,
    NOTIFICATIONS_DELIVERIES: NOTIFICATIONS_SOURCE,
}
TOPIC_KEY: dict[str, str] = {
    FILING_PARTIES: "party id",
    FILING_WORKS: "work id",
    FILING_IMPORTS: "party id (the party told)",
    FILING_SOCIETIES: "work id",
    LICENSING_LICENCES: "licence id (mandate events: the mandate id)",
    LICENSING_ROYALTIES: "licence id (usage lines' events: the licensee id)",
    NOTIFICATIONS_DELIVERIES: "party id (the recipient)",
}
TOPIC_EVENT_TYPES: dict[str, tuple[str, ...]] = {
    FILING_PARTIES: (PARTY_REGISTERED, PARTY_UPDATED),
    FILING_WORKS: (
        WORK_FILED,
        WORK_REGISTERED,
        WORK_REJECTED,
        WORK_REVIEW_REQUESTED,
        WORK_OWNERSHIP_TRANSFERRED,
        WORK_DISPUTED,
        WORK_DISPUTE_RESOLVED,
        WORK_CONSENT_REQUESTED,
        WORK_CONSENT_GIVEN,
        WORK_HOLDING_REJECTED,
        WORK_RETURNED,
    ),
    FILING_IMPORTS: (IMPORT_COMPLETED,),
    FILING_SOCIETIES: (SOCIETY_REGISTRATION_SENT, SOCIETY_ACKNOWLEDGEMENT_RECEIVED),
    LICENSING_LICENCES: (
        LICENCE_OFFERED,
        LICENCE_ACTIVATED,
        LICENCE_DECLINED,
        LICENCE_WITHDRAWN,
        LICENCE_TERMINATED,
        LICENCE_EXPIRED,
        LICENCE_AMENDMENT_PROPOSED,
        LICENCE_AMENDED,
        LICENCE_RENEWED,
        LICENCE_AMENDMENT_DECLINED,
        LICENCE_AWAITING_OWNERS,
        LICENCE_OWNER_CONSENTED,
        LICENCE_REFUSED_BY_OWNERS,
        MANDATE_GRANTED,
        MANDATE_REVOKED,
    ),
    LICENSING_ROYALTIES: (
        USAGE_REPORTED,
        ROYALTY_STATEMENT_ISSUED,
        USAGE_LINES_RECEIVED,
        USAGE_LINES_MATCHED,
        USAGE_LINE_CLAIMED,
        ROYALTY_STATEMENT_RELEASED,
        ROYALTY_STATEMENT_PAID,
        ADVANCE_PAID,
        GUARANTEE_TRUED_UP,
    ),
    NOTIFICATIONS_DELIVERIES: (NOTIFICATION_DELIVERED, NOTIFICATION_FAILED),
}
DLQ_KEY = "the original record's key"

SCHEMA_BASE_URI = "https://schemas.aseanip.org/events/"


def dataschema_uri(event_type: str) -> str:
    """`ce_dataschema`: where the JSON Schema of that type and version is published."""
    return f"{SCHEMA_BASE_URI}{event_type}.json"
