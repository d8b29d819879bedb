"""The ingest manifest: an SQLite file recording, per embedding model, each ingested file (content hash, size,
mtime, status) and its passages (text and metadata, the source for the BM25 index and citations).

The manifest is written after the vector store, in one transaction per file, so a crash leaves at worst passages in
Chroma that the manifest does not know; the next ingest repairs that (see :mod:`ingest.pipeline`).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from advisor.types import Passage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    key TEXT NOT NULL, model TEXT NOT NULL, doc_id TEXT NOT NULL, root TEXT NOT NULL,
    sha256 TEXT, size INTEGER, mtime REAL, n_passages INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL, reason TEXT, ingested_at REAL NOT NULL,
    PRIMARY KEY (key, model)
);
CREATE TABLE IF NOT EXISTS passages (
    id TEXT NOT NULL, model TEXT NOT NULL, file_key TEXT NOT NULL, doc_id TEXT NOT NULL, position INTEGER NOT NULL,
    title TEXT NOT NULL, section TEXT, page INTEGER, page_label TEXT, text TEXT NOT NULL, metadata TEXT NOT NULL,
    PRIMARY KEY (id, model)
);
CREATE INDEX IF NOT EXISTS passages_file ON passages (model, file_key);
CREATE INDEX IF NOT EXISTS files_sha ON files (model, sha256);
CREATE TABLE IF NOT EXISTS journal (id TEXT NOT NULL, model TEXT NOT NULL, PRIMARY KEY (id, model));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class FileRecord:
    """One file as the manifest knows it. ``status`` is ``ok``, ``failed`` (then ``reason`` says why) or
    ``duplicate`` (same content as another file, whose doc id ``reason`` holds; no passages of its own)."""

    key: str
    model: str
    doc_id: str
    root: str
    sha256: str | None
    size: int | None
    mtime: float | None
    n_passages: int
    status: str
    reason: str | None
    ingested_at: float


class Manifest:
    """Access to the manifest SQLite database at ``path`` (created if missing)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        self.db.executescript(_SCHEMA)

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections must not be shared between threads; WAL lets readers run
        while an ingest writes)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(str(self.path), timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close this thread's connection (a later access opens a new one)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def version(self) -> str:
        """A token that changes whenever an ingest (in any process) adds, replaces, fails or removes a file: one
        primary-key lookup, whatever the size of the manifest ("" before the first such write)."""
        row = self.db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
        return row[0] if row else ""

    def _bump(self) -> None:
        """Give the manifest a new :meth:`version` (inside the caller's write transaction)."""
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('version', lower(hex(randomblob(8))))")

    def get_file(self, key: str, model: str) -> FileRecord | None:
        """The record of file ``key`` (its absolute path) for ``model``, or None."""
        row = self.db.execute("SELECT * FROM files WHERE key=? AND model=?", (key, model)).fetchone()
        return FileRecord(*row) if row else None

    def files(self, model: str) -> list[FileRecord]:
        """All file records for ``model``, sorted by doc id."""
        rows = self.db.execute("SELECT * FROM files WHERE model=? ORDER BY doc_id", (model,)).fetchall()
        return [FileRecord(*r) for r in rows]

    def file_passage_ids(self, key: str, model: str) -> list[str]:
        """Ids of the passages of file ``key`` for ``model``."""
        rows = self.db.execute("SELECT id FROM passages WHERE model=? AND file_key=?", (model, key))
        return [r[0] for r in rows]

    def passage_ids(self, model: str) -> list[str]:
        """Ids of every passage of ``model``."""
        return [r[0] for r in self.db.execute("SELECT id FROM passages WHERE model=?", (model,))]

    def passages(self, model: str, ids: Iterable[str] | None = None) -> list[Passage]:
        """Passages of ``model`` (all, or those with the given ids), in document order."""
        sql = (
            "SELECT id, doc_id, text, title, position, section, page, page_label, metadata FROM passages WHERE model=?"
        )
        if ids is None:
            rows = self.db.execute(sql + " ORDER BY doc_id, position", (model,)).fetchall()
        else:
            ids = list(ids)
            rows = []
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                marks = ",".join("?" * len(part))
                rows += self.db.execute(sql + f" AND id IN ({marks})", (model, *part)).fetchall()
        return [Passage(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], json.loads(r[8])) for r in rows]

    def replace_file(self, record: FileRecord, passages: Sequence[Passage]) -> None:
        """Record a successfully ingested file and its passages, replacing what was there, in one transaction."""
        with self.db:
            self.db.execute("DELETE FROM passages WHERE model=? AND file_key=?", (record.model, record.key))
            self.db.executemany(
                "INSERT OR REPLACE INTO passages VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [_passage_row(p, record.model, record.key) for p in passages],
            )
            self._put(record)
            self._bump()

    def mark_failed(
        self,
        key: str,
        model: str,
        doc_id: str,
        root: str,
        reason: str,
        size: int | None = None,
        mtime: float | None = None,
    ) -> None:
        """Record a failure of the file version with ``size``/``mtime``; a previously ingested version keeps its
        passages (nothing is lost) and is retried when the file changes again."""
        old = self.get_file(key, model)
        with self.db:
            if old and old.n_passages:
                self.db.execute(
                    "UPDATE files SET status='failed', reason=? WHERE key=? AND model=?", (reason, key, model)
                )
            else:
                self._put(FileRecord(key, model, doc_id, root, None, size, mtime, 0, "failed", reason, time.time()))
            self._bump()

    def failed_version(self, key: str, model: str, size: int, mtime: float) -> str | None:
        """The recorded failure reason if exactly this file version (size, mtime) failed before, else None."""
        row = self.db.execute(
            "SELECT reason FROM files WHERE key=? AND model=? AND status='failed' AND n_passages=0"
            " AND size=? AND mtime=?",
            (key, model, size, mtime),
        ).fetchone()
        return row[0] if row else None

    def original_of(self, sha256: str, model: str, exclude_key: str) -> FileRecord | None:
        """An ingested (``ok``) file other than ``exclude_key`` with this content hash, still on disk; else None."""
        rows = self.db.execute(
            "SELECT * FROM files WHERE model=? AND sha256=? AND status='ok' AND key<>? ORDER BY doc_id",
            (model, sha256, exclude_key),
        ).fetchall()
        return next((FileRecord(*r) for r in rows if Path(r[0]).is_file()), None)

    def mark_duplicate(self, record: FileRecord) -> None:
        """Record ``record`` (status ``duplicate``, ``reason`` = the original's doc id) and drop any passages the file
        had before (their ids must already be journaled and are deleted from the store by the caller)."""
        with self.db:
            self.db.execute("DELETE FROM passages WHERE model=? AND file_key=?", (record.model, record.key))
            self._put(record)
            self._bump()

    def journal_add(self, ids: Iterable[str], model: str) -> None:
        """Note passage ids about to be written to or deleted from the vector store (write-ahead intent)."""
        with self.db:
            self.db.executemany("INSERT OR IGNORE INTO journal VALUES (?,?)", [(i, model) for i in ids])

    def journal(self, model: str) -> list[str]:
        """Passage ids of store writes that may not have completed (see :func:`ingest.pipeline.reconcile`)."""
        return [r[0] for r in self.db.execute("SELECT id FROM journal WHERE model=?", (model,))]

    def journal_clear(self, model: str) -> None:
        """Forget the journal once the store and the manifest agree again."""
        with self.db:
            self.db.execute("DELETE FROM journal WHERE model=?", (model,))

    def models(self) -> dict[str, int]:
        """Embedding fingerprints with passages in this manifest -> their passage counts."""
        return dict(self.db.execute("SELECT model, count(*) FROM passages GROUP BY model").fetchall())

    def touch(self, key: str, model: str, mtime: float) -> None:
        """Content unchanged but mtime moved (e.g. ``touch``): remember the new mtime."""
        with self.db:
            self.db.execute("UPDATE files SET mtime=? WHERE key=? AND model=?", (mtime, key, model))

    def remove_file(self, key: str, model: str) -> None:
        """Forget file ``key`` and its passages for ``model`` (the caller deletes their vectors)."""
        with self.db:
            self.db.execute("DELETE FROM passages WHERE model=? AND file_key=?", (model, key))
            self.db.execute("DELETE FROM files WHERE key=? AND model=?", (key, model))
            self._bump()

    def get_meta(self, key: str) -> str | None:
        """A value of the small key-value table (e.g. the server stamp a mirror was built from), or None."""
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str | None) -> None:
        """Set (or, with None, delete) a key of the small key-value table."""
        with self.db:
            if value is None:
                self.db.execute("DELETE FROM meta WHERE key=?", (key,))
            else:
                self.db.execute("INSERT OR REPLACE INTO meta VALUES (?,?)", (key, value))

    def replace_model(
        self, model: str, files: Sequence[FileRecord], passages: Sequence[tuple[Passage, str]], meta: dict[str, str]
    ) -> None:
        """Replace everything recorded for ``model`` by ``files`` and ``passages`` (each with its file key), and set
        ``meta`` keys, in one transaction (a mirror rebuilt from a shared server)."""
        with self.db:
            self.db.execute("DELETE FROM passages WHERE model=?", (model,))
            self.db.execute("DELETE FROM files WHERE model=?", (model,))
            for record in files:
                self._put(record)
            self.db.executemany(
                "INSERT OR REPLACE INTO passages VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [_passage_row(p, model, key) for p, key in passages],
            )
            self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?,?)", list(meta.items()))
            self._bump()

    def _put(self, r: FileRecord) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                r.key,
                r.model,
                r.doc_id,
                r.root,
                r.sha256,
                r.size,
                r.mtime,
                r.n_passages,
                r.status,
                r.reason,
                r.ingested_at,
            ),
        )


def _passage_row(p: Passage, model: str, file_key: str) -> tuple:
    return (
        p.id,
        model,
        file_key,
        p.doc_id,
        p.position,
        p.title,
        p.section,
        p.page,
        p.page_label,
        p.text,
        json.dumps(p.metadata, ensure_ascii=False, default=str),
    )
