"""`make run`: starts the platform under one supervisor, loads the demo data, prints where
to go, and stops everything on Ctrl-C (or when any process dies)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys

from runtime.settings import PlatformSettings

from devstack.demo import load_demo_data
from devstack.platform import PlatformConfig
from devstack.supervisor import Supervisor


async def main() -> int:
    config = PlatformConfig.from_environment()
    supervisor = Supervisor(log_dir=str(PlatformSettings().rights_state_dir / "logs"))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        for spec in config.processes():
            await supervisor.start(spec)
        waiting = asyncio.create_task(supervisor.wait_healthy(timeout=180))
        stopped = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait({waiting, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if stopped in done:
            waiting.cancel()
            return 130
        waiting.result()
        summary = await load_demo_data(config)
        print(summary, flush=True)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1)
            if dead := supervisor.exited():
                names = ", ".join(f"{r.spec.name} (exit {r.process.returncode})" for r in dead)
                print(f"\nstopping: {names} exited", file=sys.stderr)
                return 1
        return 0
    finally:
        print("\nstopping the platform ...", flush=True)
        await supervisor.stop()
        # `make run` (scripts/run.sh) then stops the infrastructure it started itself.
        print("stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
