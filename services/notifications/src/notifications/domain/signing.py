"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<raw body>" with the party's own secret.

DOMAIN.md fixes the scheme: `X-Rights-Timestamp` carries Unix seconds and
`X-Rights-Signature` carries `sha256=<hex>`. Signing the timestamp with the body lets a
receiver reject both forgeries (wrong HMAC) and replays (a stale timestamp).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

TIMESTAMP_HEADER = "X-Rights-Timestamp"
SIGNATURE_HEADER = "X-Rights-Signature"
SCHEME = "sha256"
# A receiver's default window for accepting a timestamp; five minutes, as Stripe and Slack do.
DEFAULT_TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Rights-Signature` value for `body` sent at `timestamp`."""
    signed = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def signed_headers(secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The two headers a webhook call carries."""
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: int,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: True only for an authentic, fresh call.

    Header names are matched case-insensitively, as HTTP requires.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    raw_timestamp = lowered.get(TIMESTAMP_HEADER.lower())
    given = lowered.get(SIGNATURE_HEADER.lower())
    if raw_timestamp is None or given is None or not raw_timestamp.isdigit():
        return False
    timestamp = int(raw_timestamp)
    if abs(now - timestamp) > tolerance_seconds:
        return False
    # Constant-time comparison: a timing side channel would leak the expected HMAC.
    return hmac.compare_digest(signature(secret, timestamp, body), given)
