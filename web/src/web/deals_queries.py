"""The GraphQL operations of the deal pages (offers, the deal page, transfers and disputes),
each selecting only what its page shows (tests/unit/web validates them against
gateway/schema.graphql, as web/queries.py's)."""

from __future__ import annotations

PAYLOAD_ERRORS = "errors { code message field }"

TERMS = ("terms { territories media exclusive start end royaltyRate advance currency "
         "minimumGuarantee }")

LICENCE_ROW = f"""
  id status
  work {{ id title }}
  licensor {{ id name }}
  licensee {{ id name }}
  {TERMS}
"""

OFFERS = f"""
query Offers($received: Boolean!, $first: Int!, $after: String) {{
  me {{ id name }}
  licences(filter: {{asLicensee: $received}}, first: $first, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ {LICENCE_ROW} }} }}
  }}
}}
"""

DEAL = f"""
query Deal($id: ID!) {{
  me {{ id }}
  licence(id: $id) {{
    id status statusReason
    work {{ id title kind status countryOfOrigin registrationNumber filingNumber }}
    licensor {{ id name }}
    licensee {{ id name }}
    {TERMS}
    versions {{ number kind state effectiveFrom end territories media exclusive royaltyRate
               side }}
    timeline {{ at source type summary }}
    deal {{ id crossCollateralised }}
    ownerConsents {{ share status reason dueAt decidedAt party {{ id name }} }}
    statements {{ id kind advancePayment {{ paidOn reference }} }}
  }}
}}
"""

TIMELINE = """
query DealTimeline($id: ID!) {
  licence(id: $id) { id status statusReason timeline { at source type summary } }
}
"""

AVAILABILITY = """
query DealAvailability($workId: ID!, $territories: [String!]!, $media: [Medium!]!,
                       $start: Date!, $end: Date, $exclusive: Boolean!, $asOf: Date,
                       $knownAt: DateTime) {
  work(id: $workId) {
    availability(territories: $territories, media: $media, start: $start, end: $end,
                 exclusive: $exclusive, asOf: $asOf, knownAt: $knownAt) {
      available
      conflicts { territories media start end licence { id status licensee { id name } } }
    }
  }
}
"""

OFFER_WORK = """
query OfferWork($id: ID!) {
  me { id name }
  work(id: $id) { id title status rightsHolders { party { id } } }
}
"""

OFFER_LICENCE = f"""
mutation OfferLicence($input: OfferLicenceInput!) {{
  offerLicence(input: $input) {{ licence {{ id }} {PAYLOAD_ERRORS} }}
}}
"""

ACCEPT = f"""
mutation AcceptLicence($id: ID!, $key: String) {{
  acceptLicence(licenceId: $id, idempotencyKey: $key) {{ licence {{ id }} {PAYLOAD_ERRORS} }}
}}
"""

DECLINE = f"""
mutation DeclineLicence($id: ID!, $reason: String) {{
  declineLicence(licenceId: $id, reason: $reason) {{ licence {{ id }} {PAYLOAD_ERRORS} }}
}}
"""

WITHDRAW = f"""
mutation WithdrawLicence($id: ID!) {{
  withdrawLicence(licenceId: $id) {{ licence {{ id }} {PAYLOAD_ERRORS} }}
}}
"""

TERMINATE = f"""
mutation TerminateLicence($id: ID!, $reason: String!, $key: String) {{
  terminateLicence(licenceId: $id, reason: $reason, idempotencyKey: $key) {{
    licence {{ id }} {PAYLOAD_ERRORS}
  }}
}}
"""

WORK_ACTIONS = """
query WorkActions($id: ID!) {
  me { id name }
  work(id: $id) { id title status rightsHolders { role share party { id name } } }
}
"""

TRANSFER_SHARE = f"""
mutation TransferShare($input: TransferShareInput!) {{
  transferShare(input: $input) {{ work {{ id }} {PAYLOAD_ERRORS} }}
}}
"""

DISPUTE_WORK = f"""
mutation DisputeWork($workId: ID!, $reason: String!, $claimedRole: Role,
                     $claimedShare: Decimal, $evidence: String) {{
  disputeWork(workId: $workId, reason: $reason, claimedRole: $claimedRole,
              claimedShare: $claimedShare, evidence: $evidence) {{ work {{ id }} {PAYLOAD_ERRORS} }}
}}
"""

RESOLVE_DISPUTE = f"""
mutation ResolveDispute($input: ResolveDisputeInput!) {{
  resolveDispute(input: $input) {{ work {{ id }} {PAYLOAD_ERRORS} }}
}}
"""

# The other side's answer to a pending amendment or renewal (web.deals_history).
ANSWER_AMENDMENT = f"""
mutation AnswerAmendment($id: ID!, $version: Int!, $accept: Boolean!, $key: String) {{
  acceptAmendment(licenceId: $id, version: $version, idempotencyKey: $key)
      @include(if: $accept) {{ licence {{ id }} {PAYLOAD_ERRORS} }}
  declineAmendment(licenceId: $id, version: $version)
      @skip(if: $accept) {{ version {{ number }} {PAYLOAD_ERRORS} }}
}}
"""

# An owner asked answers an exclusive offer; the licensee records its advance paid (issue 20).
CONSENT = f"""
mutation ConsentToLicence($id: ID!) {{
  consentToLicence(licenceId: $id) {{ licence {{ id }} {PAYLOAD_ERRORS} }}
}}
"""

REFUSE = f"""
mutation RefuseLicence($id: ID!, $reason: String!) {{
  refuseLicence(licenceId: $id, reason: $reason) {{ licence {{ id }} {PAYLOAD_ERRORS} }}
}}
"""

RECORD_ADVANCE = f"""
mutation RecordAdvancePayment($id: ID!, $paidOn: Date!, $reference: String!, $key: String) {{
  recordAdvancePayment(licenceId: $id, paidOn: $paidOn, reference: $reference,
                       idempotencyKey: $key) {{ statement {{ id }} {PAYLOAD_ERRORS} }}
}}
"""

OPERATIONS = {
    "Offers": OFFERS, "Deal": DEAL, "DealTimeline": TIMELINE, "DealAvailability": AVAILABILITY,
    "OfferWork": OFFER_WORK, "OfferLicence": OFFER_LICENCE, "AcceptLicence": ACCEPT,
    "DeclineLicence": DECLINE, "WithdrawLicence": WITHDRAW, "TerminateLicence": TERMINATE,
    "WorkActions": WORK_ACTIONS, "TransferShare": TRANSFER_SHARE, "DisputeWork": DISPUTE_WORK,
    "ResolveDispute": RESOLVE_DISPUTE,
    "AnswerAmendment": ANSWER_AMENDMENT,
    "ConsentToLicence": CONSENT, "RefuseLicence": REFUSE,
    "RecordAdvancePayment": RECORD_ADVANCE,
}
# The live timeline's subscription: sent by the browser's own script (static/deal-live.js),
# kept here so the unit test validates it with the others.
LICENCE_UPDATED = """
subscription LicenceUpdated($id: ID!) { licenceUpdated(licenceId: $id) { id status } }
"""
