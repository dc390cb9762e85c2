"""The `rights` command: `rights token --role examiner [--party ID] [--ttl 3600]` prints a token.

For operators and tests; it reads the gateway's private key, so it only works where that is.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Sequence

from gateway.auth import ROLES, token_keys
from gateway.settings import GatewaySettings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rights", description="Rights platform tools")
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="mint a bearer token")
    token.add_argument("--role", action="append", choices=sorted(ROLES), required=True,
                       help="a role to grant (repeatable)")
    token.add_argument("--party", default=None, help="party id (default: a new UUID)")
    token.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds")
    args = parser.parse_args(argv)

    if args.command == "token":
        party_id = args.party or str(uuid.uuid4())
        try:
            uuid.UUID(party_id)
        except ValueError:
            parser.error("--party must be a UUID")
        keys = token_keys(GatewaySettings())
        try:
            print(keys.mint(party_id, args.role, args.ttl))
        except FileNotFoundError as exc:
            print(f"rights: no signing key at {exc.filename}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
