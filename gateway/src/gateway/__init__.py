"""The GraphQL gateway: one API over the filing, licensing and notifications services."""
