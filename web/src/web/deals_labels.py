"""The words for the deal pages' enum values and timeline entries, as catalogue messages."""

from __future__ import annotations

from web.labels import N_, WORK_ACTION

LICENCE_STATUS = {
    "OFFERED": N_("Offered"),
    "ACTIVE": N_("Active"),
    "DECLINED": N_("Declined"),
    "WITHDRAWN": N_("Withdrawn"),
    "TERMINATED": N_("Terminated"),
    "EXPIRED": N_("Expired"),
    "AWAITING_OWNERS": N_("Waiting for the co-owners"),
    "REFUSED_BY_OWNERS": N_("Refused by a co-owner"),
}
MEDIUM = {
    "STREAMING": N_("Streaming"),
    "DOWNLOAD": N_("Download"),
    "BROADCAST": N_("Broadcast"),
    "PUBLIC_PERFORMANCE": N_("Public performance"),
    "SYNC": N_("Synchronisation"),
    "PRINT": N_("Print"),
    "MERCHANDISE": N_("Merchandise"),
    "THEATRICAL": N_("Theatrical"),
    "OTHER": N_("Other medium"),
}
ACTION_BUTTON = {
    "accept": N_("Accept the offer"),
    "decline": N_("Decline the offer"),
    "withdraw": N_("Withdraw the offer"),
    "terminate": N_("Terminate the licence"),
    "consent": N_("Consent to this licence"),
    "refuse": N_("Refuse this licence"),
}
WORK_ACTION_TITLE = {
    "transfer": N_("Transfer a share"),
    "dispute": N_("Dispute this work"),
    "resolve": N_("Resolve the dispute"),
}
SOURCE = {
    "filing": N_("Register"),
    "licensing": N_("Licence"),
    "notifications": N_("Notice"),
}
# A timeline entry's type (the event's short name, or the filing history's action) -> words;
# an unknown type shows the API's own summary, in English.
TIMELINE_EVENT = {
    **WORK_ACTION,
    "work.filed": N_("Filed"),
    "work.registered": N_("Registered"),
    "work.rejected": N_("Rejected"),
    "work.review_requested": N_("Sent to an examiner"),
    "work.ownership_transferred": N_("Share transferred"),
    "work.disputed": N_("Disputed"),
    "work.dispute_resolved": N_("Dispute resolved"),
    "licence.offered": N_("Licence offered"),
    "licence.activated": N_("Offer accepted: the licence is active"),
    "licence.declined": N_("Offer declined"),
    "licence.withdrawn": N_("Offer withdrawn"),
    "licence.terminated": N_("Licence terminated"),
    "licence.expired": N_("Licence expired"),
    "usage.reported": N_("Usage reported"),
    "royalty.statement_issued": N_("Royalty statement issued"),
    "royalty.statement_released": N_("Released from suspense"),
    "notification.delivered": N_("Notice delivered"),
    "notification.failed": N_("Notice not delivered"),
    "licence.amendment_proposed": N_("Change of terms proposed"),
    "licence.amended": N_("Terms amended"),
    "licence.renewed": N_("Licence renewed"),
    "licence.amendment_declined": N_("Change of terms declined"),
}
# The versions of a licence's terms (DOMAIN.md, "Amendments and renewals").
VERSION_KIND = {
    "ORIGINAL": N_("As offered"),
    "AMENDMENT": N_("Amendment"),
    "RENEWAL": N_("Renewal"),
}
VERSION_STATE = {
    "PENDING": N_("Waiting for the other side"),
    "ACCEPTED": N_("Agreed"),
    "DECLINED": N_("Declined"),
}
ANSWER_BUTTON = {
    "accept": N_("Accept the change"),
    "decline": N_("Decline the change"),
}
# An owner's answer to an exclusive offer (DOMAIN.md, "Co-owners' consent to licences").
CONSENT_STATUS = {
    "OFFEROR": N_("Made the offer"),
    "MANDATE": N_("Agreed by mandate"),
    "CONSENTED": N_("Consented"),
    "PENDING": N_("Not answered yet"),
    "REFUSED": N_("Refused"),
}
