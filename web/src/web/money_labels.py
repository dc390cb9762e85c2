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
    "AWAITING_OWNERS": N_("Waiting for the co-owners"),
    "REFUSED_BY_OWNERS": N_("Refused by a co-owner"),
}
# Usage is reported on a licence that is, or was, in force (DOMAIN.md, "Usage").
REPORTABLE = ("ACTIVE", "EXPIRED", "TERMINATED")
DELIVERY_CHANNEL = {"INBOX": N_("Inbox"), "EMAIL": N_("Email"), "WEBHOOK": N_("Webhook")}
DELIVERY_STATUS = {
    "PENDING": N_("Pending"),
    "DELIVERED": N_("Delivered"),
    "FAILED": N_("Failed"),
}
# A statement's kind and payment status (DOMAIN.md, "Advances", "Suspense", "The payee ledger").
STATEMENT_KIND = {
    "ROYALTY": N_("Royalties"),
    "ADVANCE": N_("Advance"),
    "TRUE_UP": N_("Minimum guarantee true-up"),
    "RELEASE": N_("Released from suspense"),
}
PAYMENT_STATUS = {
    "UNPAID": N_("Unpaid"),
    "PAID": N_("Paid"),
    "NOTHING_DUE": N_("Nothing due"),
}
