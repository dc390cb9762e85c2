"""The GraphQL schema served by the gateway (the contract is ../shared/design/schema.graphql)."""
