"""The GraphQL operations of the money pages, the society's view, the inbox and the contact
settings, each selecting only what its page shows (tests/unit/web validates them against
gateway/schema.graphql, as web/queries.py's)."""

from __future__ import annotations

# As many licences as one page of the money overview or the royalties chart reads.
LICENCES_PAGE = 50

_PARTIES = "licensor { id name } licensee { id name }"
_STATEMENT_TOTALS = "id periodStart periodEnd gross royalty recouped payable currency issuedAt"

MONEY = f"""
query Money($first: Int!, $after: String) {{
  me {{ id name }}
  licences(first: $first, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{
      id status work {{ id title }} {_PARTIES}
      terms {{ currency start end royaltyRate advance }}
      statements {{ id periodEnd payable currency }}
    }} }}
  }}
}}
"""

USAGE_LICENCE = f"""
query UsageLicence($id: ID!) {{
  me {{ id }}
  licence(id: $id) {{
    id status work {{ id title }} {_PARTIES}
    terms {{ currency start end royaltyRate }}
  }}
}}
"""

REPORT_USAGE = """
mutation ReportUsage($input: ReportUsageInput!) {
  reportUsage(input: $input) {
    report { id }
    statement { id payable currency }
    errors { code message field }
  }
}
"""

STATEMENTS = f"""
query Statements($id: ID!) {{
  me {{ id }}
  licence(id: $id) {{
    id status work {{ id title }} {_PARTIES}
    terms {{ currency start end royaltyRate advance territories }}
    usageReports {{ id periodStart periodEnd units grossRevenue }}
    statements {{
      {_STATEMENT_TOTALS}
      lines {{ share amount held party {{ id name }} }}
      kind held releasedBy releases
      payment {{ status paidOn reference amount }}
    }}
  }}
}}
"""

ROYALTIES = """
query Royalties($first: Int!, $after: String) {
  licences(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      id work { id title }
      statements { periodEnd royalty currency }
    } }
  }
}
"""

SOCIETY = f"""
query Society($first: Int!, $after: String) {{
  me {{ id name }}
  collectingSociety
  works(filter: {{status: REGISTERED}}, first: $first) {{
    totalCount totalIsExact
    edges {{ node {{
      id title kind status countryOfOrigin filingNumber registrationNumber
    }} }}
  }}
  licences(first: $first, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{
      id status work {{ id title }} {_PARTIES}
      statements {{ {_STATEMENT_TOTALS} }}
    }} }}
  }}
}}
"""

SOCIETY_ROLE = """
query SocietyRole {
  me { id name }
  collectingSociety
}
"""

INBOX = """
query Inbox($unreadOnly: Boolean!, $first: Int!, $after: String) {
  notifications(unreadOnly: $unreadOnly, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id eventType subjectId title message createdAt readAt
      deliveries { channel status attempts lastError }
    } }
  }
}
"""

MARK_READ = """
mutation MarkRead($ids: [ID!]!) {
  markNotificationsRead(ids: $ids)
}
"""

CONTACTS = """
query Contacts {
  me { id name kind country ipiNameNumber isni }
  myContacts { email webhookUrl hasWebhookSecret }
}
"""

SET_CONTACTS = """
mutation SetContacts($input: RegisterPartyInput!) {
  registerParty(input: $input) {
    party { id }
    errors { code message field }
  }
}
"""

# The licensee records a statement paid (issue 20; web.money_ledger).
RECORD_PAYMENT = """
mutation RecordStatementPayment($input: RecordStatementPaymentInput!) {
  recordStatementPayment(input: $input) {
    statement { id payment { status } }
    errors { code message field }
  }
}
"""

BALANCES = """
query Balances($from: Date, $to: Date) {
  me { id name }
  myBalances(from: $from, to: $to) {
    currency from to opening earnings advances trueUps releases holds payments closing
  }
}
"""

CONVERTED = """
query Converted($from: Date, $to: Date, $convertTo: String) {
  myStatements(first: 100, from: $from, to: $to, convertTo: $convertTo) {
    totalCount
    nodes {
      id kind periodStart periodEnd payable currency issuedAt
      licence { id work { title } }
      converted { currency payable rate { rate source effectiveOn } }
    }
  }
}
"""

OPERATIONS = {"Money": MONEY, "UsageLicence": USAGE_LICENCE, "ReportUsage": REPORT_USAGE,
              "Statements": STATEMENTS, "Royalties": ROYALTIES, "Society": SOCIETY,
              "SocietyRole": SOCIETY_ROLE, "Inbox": INBOX, "MarkRead": MARK_READ,
              "Contacts": CONTACTS, "SetContacts": SET_CONTACTS,
              "RecordStatementPayment": RECORD_PAYMENT, "Balances": BALANCES,
              "Converted": CONVERTED}
