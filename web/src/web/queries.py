"""Every GraphQL operation the pages send, each selecting only what its page shows
(tests/unit/web validates them against gateway/schema.graphql)."""

from __future__ import annotations

PAGE_SIZE = 20

SEARCH = """
query Search($filter: WorkFilter, $first: Int!, $after: String) {
  works(filter: $filter, first: $first, after: $after) {
    totalCount
    totalIsExact
    pageInfo { hasNextPage endCursor }
    edges { node {
      id title alternateTitles kind status countryOfOrigin filingNumber registrationNumber
    } }
  }
}
"""

WORK = """
query Work($id: ID!) {
  work(id: $id) {
    id title alternateTitles kind status countryOfOrigin filingNumber registrationNumber
    identifiers { iswc isrc isbn }
    rightsHolders { role share party { id name } }
    societyRegistrations { society transaction sentAt status societyWorkId assignedIswc }
    history { at action detail actor { id name } }
  }
}
"""

PARTY = """
query Party($id: ID!, $first: Int!, $after: String) {
  party(id: $id) {
    id name kind country ipiNameNumber isni
    works(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id title kind status countryOfOrigin filingNumber registrationNumber } }
    }
  }
}
"""

MY_WORKS = """
query MyWorks($first: Int!, $after: String) {
  me {
    id name
    works(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id title kind status countryOfOrigin filingNumber registrationNumber } }
    }
  }
}
"""

ME = """
query Me {
  me { id name }
}
"""

FILE_WORK = """
mutation FileWork($input: FileWorkInput!) {
  fileWork(input: $input) {
    work { id }
    errors { code message field }
  }
}
"""

REGISTER_PARTY = """
mutation RegisterParty($input: RegisterPartyInput!) {
  registerParty(input: $input) {
    party { id }
    errors { code message field }
  }
}
"""

OPERATIONS = {"Search": SEARCH, "Work": WORK, "Party": PARTY, "MyWorks": MY_WORKS, "Me": ME,
              "FileWork": FILE_WORK, "RegisterParty": REGISTER_PARTY}
