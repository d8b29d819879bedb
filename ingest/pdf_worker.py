"""PDF extraction under a time budget: :func:`ingest.loaders.load_pdf` runs in a separate worker process.

A pathological page (millions of text operators, deeply nested forms) can keep pypdf busy for minutes, and a Python
thread cannot be stopped; a process can. :class:`PdfWorker` keeps one spawned worker alive for a whole ingest (the
start-up cost, ~0.3 s, is paid once), sends it one path at a time, and kills and replaces it when a file exceeds the
budget. The file is then reported as ``skipped: exceeded N s``.
"""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.connection import Connection
from pathlib import Path

from advisor.errors import IngestError
from advisor.types import SourceDocument

TIMEOUT_PREFIX = "skipped: exceeded"
"""Start of the reason recorded for a file that ran out of time (``skipped: exceeded 60 s``)."""


STARTUP_TIMEOUT = 120.0
"""Seconds the worker may take to start (import pypdf); a slow disk or a loaded machine may need many."""


def timeout_reason(seconds: float) -> str:
    """The failure reason for a file that took longer than ``seconds``."""
    return f"{TIMEOUT_PREFIX} {seconds:g} s"


def timed_out_budget(reason: str | None) -> float | None:
    """The budget (seconds) named in a :func:`timeout_reason` string, or None if ``reason`` is another failure."""
    if not reason or not reason.startswith(TIMEOUT_PREFIX):
        return None
    try:
        return float(reason[len(TIMEOUT_PREFIX) :].strip().removesuffix("s").strip())
    except ValueError:
        return None


def _serve(conn: Connection) -> None:
    """Worker loop: receive ``(path, doc_id)``, reply ``("ok", SourceDocument)`` or ``("error", reason)``."""
    from ingest.loaders import load_pdf

    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        path, doc_id = job
        try:
            conn.send(("ok", load_pdf(Path(path), doc_id)))
        except IngestError as exc:
            conn.send(("error", exc.reason))
        except Exception as exc:  # anything pypdf throws must come back as a reason, not kill the worker
            conn.send(("error", f"unreadable PDF ({type(exc).__name__}: {str(exc)[:160]})"))


class PdfWorker:
    """Load PDFs in a child process with at most ``timeout`` seconds per file.

    Use as a context manager (the worker is stopped on exit). Calls are sequential (one file at a time).
    """

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._ctx = mp.get_context("spawn")  # never fork a process that holds torch / Chroma threads
        self._proc: mp.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        if self._proc is None or not self._proc.is_alive():
            parent, child = self._ctx.Pipe()
            self._proc = self._ctx.Process(target=_serve, args=(child,), daemon=True, name="advisor-pdf-worker")
            self._proc.start()
            child.close()
            self._conn = parent
            if not parent.poll(STARTUP_TIMEOUT) or parent.recv()[0] != "ready":
                self.stop(kill=True)
                raise RuntimeError("the PDF worker process did not start")
        assert self._conn is not None
        return self._conn

    def load(self, path: Path, doc_id: str) -> SourceDocument:
        """Extract ``path`` as :func:`ingest.loaders.load_pdf` does.

        Raises:
            IngestError: the loader's reasons, ``skipped: exceeded N s`` when over budget, or a crashed worker.
        """
        try:
            conn = self._start()
        except RuntimeError as exc:
            raise IngestError(doc_id, str(exc)) from exc
        conn.send((str(path), doc_id))
        # The budget counts from the request; the worker's start-up is not part of it.
        if not conn.poll(self.timeout):
            self.stop(kill=True)
            raise IngestError(doc_id, timeout_reason(self.timeout))
        try:
            status, value = conn.recv()
        except (EOFError, OSError) as exc:
            self.stop(kill=True)
            raise IngestError(doc_id, "PDF reader crashed on this file") from exc
        if status == "error":
            raise IngestError(doc_id, value)
        return value

    def stop(self, kill: bool = False) -> None:
        """Stop the worker (politely, or with SIGKILL when it is stuck)."""
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if proc is None:
            return
        if kill:
            proc.kill()
        elif conn is not None:
            try:
                conn.send(None)
            except OSError:
                proc.kill()
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
            proc.join()
        if conn is not None:
            conn.close()

    def __enter__(self) -> PdfWorker:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
