"""The words for the API's values the money, society, inbox and contact pages show, as
catalogue messages (`N_`: extracted by Babel, translated when shown)."""

from __future__ import annotations

from web.labels import N_

LICENCE_STATUS = {
    "OFFERED": N_("Offered"),
    "ACTIVE": N_("Active"),
    "DECLINED": N_("Declined"),
    "WITHDRAWN": N_("Withdrawn"),
    "TERMINATED": N_("Terminated"),
    "EXPIRED": N_("Expired"),
}
# Usage is reported on a licence that is, or was, in force (DOMAIN.md, "Usage").
REPORTABLE = ("ACTIVE", "EXPIRED", "TERMINATED")
DELIVERY_CHANNEL = {"INBOX": N_("Inbox"), "EMAIL": N_("Email"), "WEBHOOK": N_("Webhook")}
DELIVERY_STATUS = {
    "PENDING": N_("Pending"),
    "DELIVERED": N_("Delivered"),
    "FAILED": N_("Failed"),
}
