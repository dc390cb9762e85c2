"""The web app: server-rendered pages over the gateway's public GraphQL API (WEB.md)."""
