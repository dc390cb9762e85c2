"""The cyclic garbage collector of a process that allocates many short-lived objects.

What a process has loaded before its work starts (modules, schemas, caches) lives as long as
the process; the collector walking it again at every older collection, and running its young
collection every 700 allocations, cost a tenth of a page of nested works in the gateway and
a fifth of a bulk import's row checks. One way to say so for every process that needs it.
"""

from __future__ import annotations

import gc


def freeze_loaded(first_threshold: int, *older: int) -> None:
    """What is loaded so far is never scanned again; young objects are collected every
    `first_threshold` allocations (freed cycles still are), older generations by `older`
    (Python's own if not given)."""
    gc.freeze()
    gc.set_threshold(first_threshold, *(older or gc.get_threshold()[1:]))
