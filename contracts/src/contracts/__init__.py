"""The wire contract of the rights platform: event payloads, CloudEvents codec, value types."""
