"""The command's works file read and checked in a child process while this one writes: the
rows' checks (the domain's parsers, the title folding) and the register's writes each keep
one of the machine's cores busy. At most `QUEUED` chunks wait between the two processes."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import AsyncIterator
from pathlib import Path
from queue import Empty
from typing import Any
from uuid import UUID

from contracts.errors import DomainError
from runtime.collector import freeze_loaded

from filing.bulk_import import cwr, files
from filing.bulk_import.importer import ParsedChunk, chunks, parse_chunk

QUEUED = 3
# The cyclic garbage collector's first threshold in the command's processes (Python's is
# 700): an import allocates millions of objects, few of them in cycles, and the collector
# walking them all again and again took a fifth of the rows' checks and two thirds of their
# unpickling.
GC_THRESHOLD = 100_000
# How often a writer waiting for a chunk checks that the child is still alive.
CHILD_CHECK_SECONDS = 1.0


def bulk_gc() -> None:
    """The collector of a process that runs an import: what is loaded so far (modules, the
    domain's caches) is never scanned again, and young objects are collected rarely."""
    freeze_loaded(GC_THRESHOLD, 50, 100)


def _read(path: str, file_format: str, filer: UUID, country: str, size: int, out: Any) -> None:
    bulk_gc()
    try:
        with Path(path).open("rb") as raw, files.text_stream(raw) as stream:
            rows = (
                files.works_rows(stream)
                if file_format == "csv"
                else cwr.works_rows(stream, filer=filer, country=country)
            )
            for chunk in chunks(rows, size):
                out.put(("chunk", parse_chunk(chunk, filer=filer), raw.tell()))
        out.put(("end", None, None))
    except DomainError as error:
        # An exception pickles its first argument only: send what rebuilds it whole.
        out.put(("error", (type(error), error.message, error.field), None))
    except BaseException as error:
        # Anything else ends the import too, rather than leave the writer waiting for chunks.
        out.put(("crash", repr(error), None))
        raise


def _next(queue: Any, child: Any) -> tuple[str, Any, Any]:
    """The child's next message; a child that died without a word (killed, out of memory)
    ends the import instead of leaving it waiting for ever."""
    while True:
        try:
            return queue.get(timeout=CHILD_CHECK_SECONDS)
        except Empty:
            if child.is_alive():
                continue
        try:
            # What it sent before exiting is in the pipe already.
            return queue.get_nowait()
        except Empty:
            return ("crash", f"it exited with status {child.exitcode}", None)


async def parsed_in_child(
    path: Path, *, file_format: str, filer: UUID, country: str, chunk_size: int,
    position: list[int],
) -> AsyncIterator[ParsedChunk]:
    """The file's chunks, checked by a child process; `position[0]` follows its read position
    (the progress bar). A refused header is raised here, before any chunk."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue(maxsize=QUEUED)
    child = context.Process(
        target=_read, args=(str(path), file_format, filer, country, chunk_size, queue),
        daemon=True,
    )
    child.start()
    loop = asyncio.get_running_loop()
    try:
        while True:
            kind, item, at = await loop.run_in_executor(None, _next, queue, child)
            if kind == "end":
                return
            if kind == "error":
                error_type, message, field = item
                raise error_type(message, field=field)
            if kind == "crash":
                raise RuntimeError(f"the works file's reader failed: {item}")
            position[0] = at
            yield item
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
