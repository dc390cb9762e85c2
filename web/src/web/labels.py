"""The words for the API's enum values, as catalogue messages (`N_` marks them for extraction;
the page translates them when it shows them)."""

from __future__ import annotations


def N_(message: str) -> str:
    """gettext's conventional marker: Babel extracts its argument; it returns it as is."""
    return message


WORK_STATUS = {
    "FILED": N_("Filed"),
    "UNDER_REVIEW": N_("Under review"),
    "REGISTERED": N_("Registered"),
    "REJECTED": N_("Rejected"),
    "DISPUTED": N_("Disputed"),
    "AWAITING_CONSENT": N_("Awaiting co-owners' consent"),
    "RETURNED": N_("Returned to the filer"),
}
# A co-owner's answer to a filing (DOMAIN.md, "Co-owners' consent to a filing").
CONSENT_STATUS = {
    "PENDING": N_("No answer yet"),
    "CONFIRMED": N_("Confirmed"),
    "REJECTED": N_("Rejected"),
}
WORK_KIND = {
    "MUSICAL_WORK": N_("Musical work"),
    "SOUND_RECORDING": N_("Sound recording"),
    "LITERARY": N_("Literary work"),
    "AUDIOVISUAL": N_("Audiovisual work"),
    "VISUAL_ART": N_("Visual art"),
    "SOFTWARE": N_("Software"),
    "OTHER": N_("Other"),
}
ROLE = {
    "AUTHOR": N_("Author"),
    "COMPOSER": N_("Composer"),
    "LYRICIST": N_("Lyricist"),
    "ARRANGER": N_("Arranger"),
    "PUBLISHER": N_("Publisher"),
    "PRODUCER": N_("Producer"),
    "PERFORMER": N_("Performer"),
    "OTHER": N_("Other role"),
}
PARTY_KIND = {"PERSON": N_("Person"), "ORGANIZATION": N_("Organization")}
WORK_ACTION = {
    "FILED": N_("Filed"),
    "REGISTERED": N_("Registered"),
    "REJECTED": N_("Rejected"),
    "REVIEW_REQUESTED": N_("Sent to an examiner"),
    "OWNERSHIP_TRANSFERRED": N_("Share transferred"),
    "DISPUTED": N_("Disputed"),
    "DISPUTE_RESOLVED": N_("Dispute resolved"),
}
# The countries of origin the search offers by name (the region's ten); ISO 3166-1 alpha-2.
ASEAN = ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN")

# A collecting society's answer to a work's registration (DOMAIN.md, "Acknowledgements").
SOCIETY_STATUS = {
    "ACCEPTED": N_("Accepted"),
    "ACCEPTED_WITH_CHANGES": N_("Accepted with changes"),
    "CONFLICT": N_("In conflict"),
    "REJECTED": N_("Rejected"),
    "NO_PARTICIPATION": N_("No participation"),
}
