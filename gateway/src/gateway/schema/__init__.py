"""The GraphQL schema served by the gateway (the contract is docs/design/schema.graphql)."""
