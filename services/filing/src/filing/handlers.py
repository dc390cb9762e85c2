"""The events the filing service consumes: none today. Filing is the source of the register;
it learns nothing from the other services. A consumer added here (group, topics, one
set-based handler that receives its unit of work) is registered by `app.build`."""

from __future__ import annotations

from collections.abc import Sequence

from runtime.consumer import EventsHandler

Consumer = tuple[str, Sequence[str], EventsHandler]
"""A consumer group id, the topics it reads, and its one handler (a batch of one at least)."""

CONSUMERS: tuple[Consumer, ...] = ()
