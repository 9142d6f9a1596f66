"""The child processes exports are encoded in (`EXPORT_PROCESSES`, default 2; 0: a worker
thread of the gateway, as before).

A worker thread still holds the gateway's GIL while openpyxl builds 100 000 rows, and the
event loop waits for it: a /healthz beside a 100k-row XLSX waited 41–358 ms. A child has
a GIL of its own; the loop only hands it a chunk of plain rows and awaits the answer (a
thread blocked on the pipe, which holds no GIL).

The pool is made once per app lifespan and closed at its end. Children start on first use
(`spawn`: a fresh interpreter, not a fork of a threaded server), at a lower priority
(nice 10), one export or CSV chunk at a time each, and stay for the next. One that dies
mid-export (killed, out of memory) is reaped and the work done again on a fresh one
(`WorkerLost`); one whose export ends any other way than finished (the client left, an
error, the server stopping) is killed, so that no child is left working on an export
nobody waits for.
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from anyio import to_thread

from services.api.statistics.encoder import Encoder, serve


class WorkerLost(Exception):
    """The child ended while it had the work (killed, out of memory)."""


class EncodingFailed(RuntimeError):
    """The encoder raised; with the child's traceback."""


class _Child:
    def __init__(self, context: Any) -> None:
        self.scratch = tempfile.mkdtemp(prefix="zhicheng-export-")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(
            target=serve, args=(theirs, self.scratch), name="zhicheng-export", daemon=True
        )
        self.process.start()
        theirs.close()

    def roundtrip(self, message: tuple) -> Any:
        """Send a message and wait for the answer (in a worker thread: no GIL held while
        the child works)."""
        try:
            self.connection.send(message)
            status, value = self.connection.recv()
        except (EOFError, OSError) as error:
            raise WorkerLost(f"export process {self.process.pid} ended") from error
        if status == "error":
            raise EncodingFailed(value)
        return value

    def end(self) -> None:
        """Kill, reap, and remove its scratch directory (whatever it left there)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)
        self.connection.close()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def stop(self) -> None:
        """An idle child: told to stop (its pipe closed), killed if it does not."""
        self.connection.close()
        self.process.join(timeout=5)
        self.end()


class Lease:
    """A child for one export's messages, in order (a workbook lives in one child)."""

    def __init__(self, pool: ExportPool, child: _Child | None) -> None:
        self.pool = pool
        self.child = child

    async def call(self, message: tuple) -> Any:
        if self.child is None:
            self.child = await to_thread.run_sync(self.pool.start)
        try:
            # A cancelled call (the client left) leaves the thread to its pipe; the lease
            # then kills the child, which ends the thread's wait.
            return await to_thread.run_sync(self.child.roundtrip, message, abandon_on_cancel=True)
        except WorkerLost:
            self.pool.discard(self.child)
            self.child = None
            raise
        finally:
            self.pool.calls += 1


class _ThreadLease:
    """EXPORT_PROCESSES=0: the same messages answered in a worker thread of the gateway."""

    def __init__(self) -> None:
        self.encoder = Encoder()

    async def call(self, message: tuple) -> Any:
        return await to_thread.run_sync(self.encoder.handle, message)


class ExportPool:
    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._context = multiprocessing.get_context("spawn")
        self._slots = anyio.Semaphore(max(processes, 1))
        self._idle: list[_Child] = []
        self._children: set[_Child] = set()
        self._closed = False
        self.calls = 0  # messages answered or failed, for tests and benchmarks
        self.lost = 0  # children that died mid-work

    def start(self) -> _Child:
        if self._closed:
            raise RuntimeError("the export pool is closed")
        child = _Child(self._context)
        self._children.add(child)
        return child

    def discard(self, child: _Child) -> None:
        self._children.discard(child)
        child.end()
        self.lost += 1

    def pids(self) -> list[int]:
        """The children alive now."""
        return [c.process.pid for c in self._children if c.process.is_alive()]

    def busy(self) -> list[int]:
        """The children leased to an export now."""
        idle = {id(c) for c in self._idle}
        return [c.process.pid for c in self._children if id(c) not in idle]

    @asynccontextmanager
    async def lease(self) -> AsyncIterator[Lease | _ThreadLease]:
        if not self.processes:
            lease = _ThreadLease()
            try:
                yield lease
            finally:
                lease.encoder.drop()  # spooled rows of a workbook never saved
            return
        async with self._slots:
            lease = Lease(self, self._idle.pop() if self._idle else None)
            finished = False
            try:
                yield lease
                finished = True
            finally:
                if lease.child is not None:
                    if finished and not self._closed:
                        self._idle.append(lease.child)
                    else:
                        self._children.discard(lease.child)
                        lease.child.end()

    async def run(self, message: tuple, *, attempts: int = 2) -> Any:
        """One stateless message (a CSV chunk) on any child; again on a fresh one if the
        child dies meanwhile."""
        for attempt in range(1, attempts + 1):
            try:
                async with self.lease() as lease:
                    return await lease.call(message)
            except WorkerLost:
                if attempt == attempts:
                    raise
        raise AssertionError("unreachable")

    async def warm(self) -> None:
        """Start every child now and wait until each answers (benchmarks: the first export
        then does not pay for the interpreters starting)."""
        while self.processes and len(self._children) < self.processes:
            child = await to_thread.run_sync(self.start)
            await to_thread.run_sync(child.roundtrip, ("ping",))
            self._idle.append(child)

    async def close(self) -> None:
        """Idle children stopped, busy ones (an export the server gave up) killed."""
        self._closed = True
        idle = {id(c) for c in self._idle}
        children, self._children, self._idle = list(self._children), set(), []
        for child in children:
            await to_thread.run_sync(child.stop if id(child) in idle else child.end)
