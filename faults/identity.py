"""How the fault suite's parties prove who they are: the one module to change when sign-in
changes (today the platform verifies tokens signed with the run's own key pair, as bench's
platform mints them; with the identity provider, a signed-in account and its tokens)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from runtime.auth import ensure_keypair, mint_token


@dataclass(frozen=True)
class Signing:
    """The run's signing key; the platform's processes verify with its public half, which
    they find in the run's state directory (RIGHTS_STATE_DIR/keys)."""

    private_key: bytes

    @classmethod
    def for_run(cls, state_dir: Path) -> Signing:
        private, _ = ensure_keypair(state_dir / "keys")
        return cls(private.read_bytes())


def party_token(signing: Signing, party_id: str) -> str:
    """The ONE place parties get their tokens. Thirty days, so a service whose clock is moved
    days ahead still accepts them (one moved back still refuses them: issued in its future)."""
    return mint_token(signing.private_key, party_id=party_id, roles=("party",),
                      ttl=timedelta(days=30))
