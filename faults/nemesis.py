"""The nemesis: a schedule of faults drawn from the seed (printed before the run, so a failure
can be replayed), and the faults themselves: SIGKILL of a service instance, SIGSTOP/SIGCONT
and SIGKILL of a broker, a PostgreSQL restart, and a service's clock moved and put back."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from devstack.platform import SERVICES

from faults.clock_moves import CLOCK_OFFSETS
from faults.environment import BROKERS, Environment

FAULT_KINDS = ("kill_service", "pause_broker", "kill_broker", "restart_postgres", "move_clock")
# Seconds between two faults of one kind. A broker's JVM and a service's imports take tens of
# seconds to start on two cores, and 30 faults of each kind closer together than this leave
# the platform no moment between faults: the load would meet only outages.
SPACING_S = float(os.environ.get("FAULTS_SPACING_S", "20"))


@dataclass(frozen=True)
class Fault:
    kind: str
    at_s: float  # seconds after the nemesis starts
    target: str  # instance name, broker node, service
    hold_s: float  # how long the fault lasts before it is undone
    offset: str = ""  # move_clock only


@dataclass
class Schedule:
    seed: int
    faults: list[Fault]

    @property
    def window_s(self) -> float:
        return max((f.at_s + f.hold_s for f in self.faults), default=0.0)

    def describe(self) -> str:
        lines = [f"nemesis schedule (seed {self.seed}, {len(self.faults)} faults, "
                 f"~{self.window_s:.0f} s):"]
        for f in sorted(self.faults, key=lambda f: f.at_s):
            extra = f" {f.offset}" if f.offset else ""
            lines.append(f"  t+{f.at_s:7.1f}s {f.kind:<16} {f.target:<16} "
                         f"hold {f.hold_s:.1f}s{extra}")
        return "\n".join(lines)


def make_schedule(seed: int, per_kind: int, instances: int = 2) -> Schedule:
    """`per_kind` faults of every kind, each kind's spread evenly with seeded jitter."""
    rng = random.Random(f"nemesis-{seed}")
    names = [s if n == 1 else f"{s}-{n}" for s in SERVICES for n in range(1, instances + 1)]
    window = SPACING_S * per_kind
    faults: list[Fault] = []
    # Broker faults come in episodes on one node (paused, killed, killed again while it
    # recovers, ...): a fault on another node waits until the last one listens again, and a
    # broker's restart is the slowest step of the run.
    episodes = [rng.choice(BROKERS) for _ in range(per_kind)]
    for kind in FAULT_KINDS:
        slot = window / per_kind
        for i in range(per_kind):
            at = round(slot * (i + rng.uniform(0.0, 0.3)), 1)
            if kind == "kill_service":
                # Every instance in turn, in a seeded order within each round.
                if i % len(names) == 0:
                    rng.shuffle(names)
                faults.append(Fault(kind, at, names[i % len(names)], 0.0))
            elif kind in ("pause_broker", "kill_broker"):
                faults.append(Fault(kind, at, str(episodes[i // 5]),
                                    round(rng.uniform(0.5, 3.0), 1)))
            elif kind == "restart_postgres":
                faults.append(Fault(kind, at, "postgres", round(rng.uniform(0.0, 2.0), 1)))
            else:
                faults.append(Fault(kind, at, rng.choice(SERVICES),
                                    round(rng.uniform(2.0, 6.0), 1), rng.choice(CLOCK_OFFSETS)))
    return Schedule(seed, faults)


@dataclass
class Injected:
    kind: str
    target: str
    at_s: float
    took_s: float
    detail: str = ""


@dataclass
class Nemesis:
    env: Environment
    schedule: Schedule
    log: Callable[[str], None] = print
    injected: list[Injected] = field(default_factory=list)
    # Never two brokers down at once: with min ISR 2 that is an outage, not a fault.
    _brokers: asyncio.Lock = field(default_factory=asyncio.Lock)
    _restarts: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    _recovering: tuple[int, asyncio.Task[None]] | None = None  # a broker coming back

    async def run(self) -> None:
        """Each kind's faults in order on its own task; kinds overlap in time."""
        started = time.monotonic()
        by_kind: dict[str, list[Fault]] = {}
        for fault in sorted(self.schedule.faults, key=lambda f: f.at_s):
            by_kind.setdefault(fault.kind, []).append(fault)
        await asyncio.gather(*(self._kind(faults, started) for faults in by_kind.values()))
        await asyncio.gather(*self._restarts.values())
        if self._recovering is not None:
            await self._recovering[1]

    async def _kind(self, faults: list[Fault], started: float) -> None:
        for fault in faults:
            delay = fault.at_s - (time.monotonic() - started)
            if delay > 0:
                await asyncio.sleep(delay)  # the schedule's own time, not a synchronisation
            at = time.monotonic() - started
            detail = await self._inject(fault)
            took = time.monotonic() - started - at
            self.injected.append(Injected(fault.kind, fault.target, round(at, 1),
                                          round(took, 1), detail))
            self.log(f"[nemesis t+{at:6.1f}s] {fault.kind} {fault.target} {detail} "
                     f"({took:.1f}s)")

    async def _inject(self, fault: Fault) -> str:
        action: Callable[[Fault], Awaitable[str]] = getattr(self, f"_{fault.kind}")
        return await action(fault)

    async def _kill_service(self, fault: Fault) -> str:
        # Started again in the background: a service's start takes longer than the schedule's
        # spacing on two cores. Neither the instance nor its sibling is still starting when
        # it is killed: a service keeps one instance up, so the load still meets it.
        service = fault.target.split("-")[0]
        for name, previous in list(self._restarts.items()):
            if name.split("-")[0] == service:
                await previous
        running = self.env.kill_instance(fault.target)
        self._restarts[fault.target] = asyncio.create_task(self.env.restart(running))
        return "killed -9, restarting"

    async def _other_brokers_up(self, node: int) -> None:
        """Waits until no broker but `node` is still coming back: never two down (min ISR 2
        of 3 would refuse every write), while `node` itself may be hit again mid-recovery."""
        if self._recovering is not None and self._recovering[0] != node:
            await self._recovering[1]
            self._recovering = None

    async def _pause_broker(self, fault: Fault) -> str:
        node = int(fault.target)
        async with self._brokers:
            await self._other_brokers_up(node)
            self.env.cluster.signal(node, signal.SIGSTOP)
            try:
                await asyncio.sleep(fault.hold_s)  # the fault's duration
            finally:
                self.env.cluster.signal(node, signal.SIGCONT)
        return f"paused {fault.hold_s}s"

    async def _kill_broker(self, fault: Fault) -> str:
        node = int(fault.target)
        async with self._brokers:
            await self._other_brokers_up(node)
            state = "running"
            if self._recovering is not None:  # this node, still starting: killed again
                state = "recovering" if not self._recovering[1].done() else state
                self._recovering[1].cancel()
                self._recovering = None
            command = self.env.cluster.kill(node)
            await asyncio.sleep(fault.hold_s)  # the fault's duration
            self.env.cluster.start(node, command)
            self._recovering = (node, asyncio.create_task(self.env.cluster.listening(node)))
        return f"killed -9 ({state}), down {fault.hold_s}s, restarting"

    async def _restart_postgres(self, fault: Fault) -> str:
        await asyncio.to_thread(self.env.postgres.stop, "fast")
        await asyncio.sleep(fault.hold_s)  # the fault's duration
        await asyncio.to_thread(self.env.postgres.start)
        return f"stopped (fast), down {fault.hold_s}s, started"

    async def _move_clock(self, fault: Fault) -> str:
        self.env.clocks.move(fault.target, fault.offset)
        try:
            await asyncio.sleep(fault.hold_s)  # the fault's duration
        finally:
            self.env.clocks.move(fault.target, "+0")
        return f"clock {fault.offset} for {fault.hold_s}s"

    async def heal(self) -> None:
        """Everything back: clocks, brokers running and resumed, PostgreSQL and every
        service process up and ready."""
        self.env.clocks.restore_all()
        self.env.cluster.resume_all()
        await asyncio.to_thread(self.env.cluster.up)
        died = await self.env.restart_exited()
        if died:
            self.log(f"[nemesis] restarted processes that had died on their own: {died}")
        await self.env.supervisor.wait_healthy(timeout=300)

    def counts(self) -> dict[str, int]:
        counted = {kind: 0 for kind in FAULT_KINDS}
        for fault in self.injected:
            counted[fault.kind] += 1
        return counted

    def as_records(self) -> list[dict[str, Any]]:
        return [asdict(f) for f in self.injected]
