"""A small process supervisor: starts commands with prefixed output, waits for their health
checks, and stops them by their own pids (SIGTERM, then SIGKILL after a grace period)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TextIO

import httpx

COLOURS = ["\033[36m", "\033[33m", "\033[35m", "\033[32m", "\033[34m", "\033[31m"]
RESET = "\033[0m"


@dataclass
class ProcessSpec:
    name: str
    command: Sequence[str]
    health_url: str | None = None
    health_tcp_port: int | None = None  # for servers without HTTP (the SMTP server)
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Running:
    spec: ProcessSpec
    process: asyncio.subprocess.Process
    pump: asyncio.Task[None]


class Supervisor:
    def __init__(
        self, *, out: TextIO | None = None, colour: bool | None = None, log_dir: str | None = None
    ) -> None:
        self.out = out or sys.stdout
        self.colour = self.out.isatty() if colour is None else colour
        self.log_dir = log_dir
        self.running: list[Running] = []
        self._width = 15  # `notifications-2`

    async def start(self, spec: ProcessSpec) -> Running:
        process = await asyncio.create_subprocess_exec(
            *spec.command,
            env={**os.environ, **spec.env},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            stdin=asyncio.subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches us only; we stop children in order
        )
        colour = COLOURS[len(self.running) % len(COLOURS)] if self.colour else ""
        pump = asyncio.create_task(self._pump(spec.name, process, colour))
        running = Running(spec, process, pump)
        self.running.append(running)
        return running

    async def _pump(self, name: str, process: asyncio.subprocess.Process, colour: str) -> None:
        assert process.stdout is not None
        prefix = f"{colour}{name:<{self._width}}|{RESET if colour else ''} "
        log_file = None
        if self.log_dir:
            os.makedirs(self.log_dir, exist_ok=True)
            log_file = open(os.path.join(self.log_dir, f"{name}.log"), "a", encoding="utf-8")  # noqa: ASYNC230 - held for the process lifetime
        try:
            async for line in process.stdout:
                text = line.decode("utf-8", "replace").rstrip("\n")
                if log_file:
                    log_file.write(text + "\n")
                    log_file.flush()
                self.out.write(prefix + text + "\n")
                self.out.flush()
        finally:
            if log_file:
                log_file.close()

    async def wait_healthy(self, timeout: float = 120) -> None:
        """Polls every health URL until all answer 200; fails fast if a process exits."""
        deadline = time.monotonic() + timeout
        pending = [r for r in self.running if r.spec.health_url or r.spec.health_tcp_port]
        async with httpx.AsyncClient(timeout=2) as client:
            while pending:
                for r in list(pending):
                    if r.process.returncode is not None:
                        raise RuntimeError(f"{r.spec.name} exited with {r.process.returncode}")
                    if r.spec.health_tcp_port is not None:
                        with contextlib.suppress(OSError):
                            _, writer = await asyncio.open_connection(
                                "127.0.0.1", r.spec.health_tcp_port
                            )
                            writer.close()
                            pending.remove(r)
                        continue
                    with contextlib.suppress(httpx.HTTPError):
                        resp = await client.get(r.spec.health_url or "")
                        if resp.status_code == 200:
                            pending.remove(r)
                if not pending:
                    return
                if time.monotonic() > deadline:
                    names = ", ".join(r.spec.name for r in pending)
                    raise TimeoutError(f"not healthy after {timeout:.0f}s: {names}")
                await asyncio.sleep(0.2)

    def exited(self) -> list[Running]:
        return [r for r in self.running if r.process.returncode is not None]

    async def stop(self, grace: float = 15) -> None:
        """Stops every process, newest first, by its own pid."""
        for r in reversed(self.running):
            if r.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    r.process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(r.process.wait(), grace)
                except TimeoutError:
                    with contextlib.suppress(ProcessLookupError):
                        r.process.kill()
                    await r.process.wait()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(r.pump, 5)
        self.running.clear()
