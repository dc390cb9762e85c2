"""The notifications service: inbox, email and signed webhooks for every party an event names."""
