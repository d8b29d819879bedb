"""The writer lock of a Chroma server shared by several machines: a lease kept in the shared-state collection.

One ingest at a time may write to a server's collection, whichever machine it runs on. Chroma has no lock, but its
``add`` keeps the first of several records with one id, so a lease is a record ``lease:<epoch>``: a writer takes
epoch n+1 when lease n is released or expired, and whoever's ``add`` landed first owns it (the others read back
another owner and wait). The owner renews ``expires`` every ``ttl / 3`` seconds from a background thread; a writer
killed with ``kill -9`` stops renewing, so its lease lapses after at most ``ttl`` seconds and the next writer takes
over and repairs (:func:`ingest.pipeline.reconcile`). Expiry compares wall clocks of different machines: keep them
synchronised (NTP) to well under ``ttl``. Lease records older than the current epoch are deleted by the taker.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid

from advisor.errors import IndexBusy
from advisor.storage.server_state import ServerState


def writer_name(home: str) -> str:
    """This process as named in lease records and "Index busy" messages: ``host:pid home``."""
    return f"{socket.gethostname()}:{os.getpid()} {home}"


class ServerLease:
    """A lease on the writer lock of ``state``'s server, held by ``writer`` (a display name).

    ``ttl``: seconds a lease lasts without renewal. Take it with :meth:`acquire`, give it back with
    :meth:`release`. Raises :class:`IndexBusy` (naming the holder) when not acquired within the timeout.
    """

    def __init__(self, state: ServerState, writer: str, ttl: float = 30.0):
        self.state, self.writer, self.ttl = state, writer, ttl
        self.token = uuid.uuid4().hex  # tells this holder from another process with the same display name
        self.epoch: int | None = None
        self._expires = 0.0
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._thread: threading.Thread | None = None

    def _current(self) -> tuple[int, dict | None]:
        leases = [(int(rid.split(":", 1)[1]), meta) for rid, meta in self.state.where("lease")]
        return max(leases, key=lambda item: item[0]) if leases else (0, None)

    def acquire(self, timeout: float) -> None:
        """Take the lease, waiting up to ``timeout`` seconds while another writer holds a live one.

        Raises:
            IndexBusy: another writer held it for the whole timeout (the message names it and its expiry).
        """
        deadline = time.monotonic() + timeout
        while True:
            epoch, meta = self._current()
            free = meta is None or meta.get("released") or float(meta["expires"]) < time.time()
            if free:
                self._expires = time.time() + self.ttl
                mine = {"kind": "lease", "writer": self.writer, "token": self.token, "expires": self._expires}
                won = self.state.add_if_absent(f"lease:{epoch + 1}", mine)
                if won.get("token") == self.token:
                    self.epoch = epoch + 1
                    self.state.delete(f"lease:{n}" for n in range(max(1, epoch - 50), epoch + 1))
                    self._thread = threading.Thread(target=self._renew, name="lease-renewal", daemon=True)
                    self._thread.start()
                    return
                meta = won
            if time.monotonic() >= deadline:
                left = max(0.0, float(meta["expires"]) - time.time()) if meta else 0.0
                raise IndexBusy(
                    f"Index busy: {meta.get('writer') if meta else 'another writer'} is writing to the shared Chroma "
                    f"server (its lease runs {left:.0f} s more unless renewed); waited {timeout:.0f} s, try again "
                    "when it ends."
                )
            time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                meta = self.state.get(f"lease:{self.epoch}")
                if not meta or meta.get("token") != self.token or meta.get("released"):
                    self._lost.set()
                    return
                expires = time.time() + self.ttl
                self.state.put(f"lease:{self.epoch}", {**meta, "expires": expires})
                self._expires = expires
            except Exception:  # the client raises plain Exception for some HTTP errors; retried at the next beat
                if self._expires < time.time():  # unreachable past the lease's end: another writer may own it
                    self._lost.set()
                    return

    def check(self) -> None:
        """Raise :class:`IndexBusy` if the lease was lost (expired while this writer was stalled, and taken over);
        the ingest stops before its next write."""
        if self._lost.is_set():
            raise IndexBusy(
                "Index busy: this ingest lost its lease on the shared Chroma server (stalled longer than "
                f"{self.ttl:g} s); another writer took over. Run it again."
            )

    def release(self) -> None:
        """Give the lease back (marking it released, so the next writer need not wait for expiry)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.epoch is None:
            return
        meta = self.state.get(f"lease:{self.epoch}")
        if meta and meta.get("token") == self.token:
            self.state.put(f"lease:{self.epoch}", {**meta, "released": True})
        self.epoch = None
