"""`python -m filing.cwr_export SOCIETY [--all] [--out DIR] [--database-url URL]`: makes the
society's next CWR 2.1 file (its members' works new to it or changed since its last file;
`--all`: every one of them), records it as sent, and writes it into DIR under its CWR name.
`python -m filing.cwr_export --ack FILE [--society CODE]` applies a society's ACK file.
Exit 0 when done (also when there was nothing to send), 2 on bad input."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from contracts.errors import DomainError
from runtime.auth import Principal
from runtime.db import create_engine, session_maker
from runtime.uow import unit_of_work_factory

from filing import societies
from filing.app import cwr_policy
from filing.settings import FilingSettings

# The command runs as the operator at the database: an examiner's authority.
_OPERATOR = Principal(party_id="cwr-export-command", roles=frozenset({"examiner"}))


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m filing.cwr_export", description=__doc__)
    parser.add_argument("society", nargs="?", help="the society's CISAC code")
    parser.add_argument("--all", action="store_true", help="every member work, not only new")
    parser.add_argument("--out", type=Path, default=Path("."))
    parser.add_argument("--ack", type=Path, help="an ACK file to apply instead")
    parser.add_argument("--society", dest="ack_society", default=None)
    parser.add_argument("--database-url", default=None)
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> dict[str, object]:
    settings = FilingSettings()
    engine = create_engine(args.database_url or settings.database_url)
    try:
        uow = unit_of_work_factory(session_maker(engine))
        if args.ack is not None:
            summary = await societies.import_ack(
                uow=uow, principal=_OPERATOR, data=args.ack.read_bytes(),
                file_name=args.ack.name, society=args.ack_society,
            )  # fmt: skip
            return vars(summary)
        if not args.society:
            raise SystemExit("a society's CISAC code is required (or --ack FILE)")
        made = await societies.export_cwr(
            uow=uow, policy=cwr_policy(settings), society=args.society, everything=args.all
        )
        if made is None:
            return {"society": args.society, "file": None}
        exported, cwr = made
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / exported.name
        path.write_bytes(cwr.text.encode("ascii"))
        return {**{k: str(v) for k, v in vars(exported).items()}, "path": str(path)}
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        result = asyncio.run(run(args))
    except DomainError as error:
        print(f"{error.field}: {error.message}", file=sys.stderr)
        return 2
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
